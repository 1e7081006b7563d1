package io.mptj.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Devices;
import io.mptj.method.PeftAdapter;
import io.mptj.method.PromptModule;
import io.mptj.method.TuningMethod;
import io.mptj.method.pt.SoftPrompt;
import io.mptj.task.Task;
import io.mptj.task.bench.TaskRegistry;
import io.mptj.train.Objective;
import io.mptj.train.Readout;
import io.mptj.train.TaskHeads;
import io.mptj.train.TaskModel;
import io.mptj.train.TeacherCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 2, multitask distillation (Wang et al., 2023, §3.1, Eqs. 2–5): a shared prompt P* and
 * per-task rank-r vectors (u_k, v_k) trained on all source tasks at once (examples-proportional
 * mixing with stochastic task sampling) with {@code L = L_task + λ (KL(teacher ‖ student) +
 * MSE(hidden))}, the teachers being the frozen source prompts.
 */
public final class Distillation {
  private Distillation() {}

  /** The teachers of a source-training output: their tasks and run directories, in order. */
  record Teachers(List<Task> tasks, List<Path> dirs) {}

  static Teachers readTeachers(Path sourceDir) {
    Path index = sourceDir.resolve(SourceTraining.TEACHERS);
    if (!Files.isRegularFile(index)) {
      throw new CheckpointException(
          "no " + SourceTraining.TEACHERS + " in " + sourceDir + " (make one with ./mptj source)");
    }
    Map<String, Object> json = RunDir.readMap(index);
    @SuppressWarnings("unchecked")
    Map<String, String> tasks = (Map<String, String>) json.get("tasks");
    if (tasks == null || tasks.isEmpty()) {
      throw new CheckpointException(index + ": no \"tasks\"");
    }
    List<Task> ts = new ArrayList<>();
    List<Path> dirs = new ArrayList<>();
    tasks.forEach(
        (name, dir) -> {
          ts.add(TaskRegistry.get(name));
          dirs.add(sourceDir.resolve(dir));
        });
    return new Teachers(ts, dirs);
  }

  /**
   * Distils the teachers of {@code sourceDir} into the stage method's student (MPT: a shared P* and
   * task vectors) in {@code out}. P* starts as the method's {@code init}: sampled vocabulary (the
   * paper), random, or the teachers' mean.
   */
  public static Map<String, Object> run(Context ctx, Path sourceDir, StageSettings h, Path out) {
    if (!h.method().distils()) {
      throw new IllegalArgumentException(
          "method " + h.method().name() + " cannot be the student of multitask distillation");
    }
    RunDir.checkOut(out);
    Teachers teachers = readTeachers(sourceDir);
    teachers.dirs().forEach(d -> RunDir.requireCompatible(d, ctx, h.head()));
    int k = teachers.tasks().size();
    try (NDManager m = Devices.newManager()) {
      SoftPrompt teacherPrompts = stackPrompts(m, teachers.dirs());
      StageSettings hp = h.withPromptLength(teacherPrompts.length());
      TaskHeads teacherHeads = Models.hasHeads(ctx.backbone()) ? stackHeads(m, teachers) : null;
      TaskHeads studentHeads = teacherHeads == null ? null : studentHeads(m, teacherHeads, hp);
      TuningMethod.Init init = new TuningMethod.Init(ctx.backbone(), k, sourceDir, h.run().seed());
      try (TaskModel teacher =
              Models.build(ctx.backbone(), teacherPrompts, teachers.tasks(), teacherHeads, hp, m);
          PromptModule student = hp.method().student(init, teacherPrompts, hp.config(), m);
          TaskModel model =
              Models.build(ctx.backbone(), student, teachers.tasks(), studentHeads, hp, m)) {
        List<PreparedTask> prepared = Preparation.prepare(ctx, teachers.tasks(), hp, 0);
        Objective objective =
            new Objective(
                hp.distill().lambda(),
                hp.distill().temperature(),
                new TeacherCache(teacher, ctx.backbone().padId()));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("command", "distill");
        config.put("method", hp.method().name());
        config.put("seed", h.run().seed());
        config.put("teachers", sourceDir.toAbsolutePath().toString());
        config.put("init", initOf(hp));
        long[] perTask = new long[k];
        for (int i = 0; i < k; i++) {
          perTask[i] = model.taskParameterCount(i);
        }
        return Training.trainAndSave(
            ctx,
            new TrainRequest(
                out,
                model,
                prepared,
                hp,
                objective,
                config,
                perTask,
                model.sharedParameterCount()));
      }
    }
  }

  private static Object initOf(StageSettings s) {
    return s.config().saved().get("init");
  }

  /** The teachers' prompts as one frozen (K, P, d) module. */
  private static SoftPrompt stackPrompts(NDManager m, List<Path> dirs) {
    NDList prompts = new NDList();
    for (Path dir : dirs) {
      try (PromptModule p = PeftAdapter.load(dir, m)) {
        if (!(p instanceof SoftPrompt)) {
          throw new CheckpointException(
              dir + " is not a vanilla prompt-tuning run (a teacher must be)");
        }
        prompts.add(p.taskPrompt(m, 0));
      }
    }
    long p0 = prompts.getFirst().getShape().get(0);
    for (int i = 0; i < prompts.size(); i++) {
      if (prompts.get(i).getShape().get(0) != p0) {
        throw new CheckpointException(
            dirs.get(i)
                + ": prompt length "
                + prompts.get(i).getShape().get(0)
                + " differs from "
                + dirs.getFirst()
                + "'s "
                + p0);
      }
    }
    return new SoftPrompt(m, NDArrays.stack(prompts, 0));
  }

  /**
   * The student's readout, from its teachers': per-task heads copied; a shared head starting from
   * the teachers' mean (one head over class indices for all sources); label heads as they are.
   */
  private static TaskHeads studentHeads(NDManager m, TaskHeads teachers, StageSettings s) {
    Readout wanted = s.head().readout();
    Readout trained = teachers.readout() == Readout.LABEL ? Readout.LABEL : Readout.TASK;
    if ((wanted == Readout.LABEL) != (trained == Readout.LABEL)) {
      throw new IllegalArgumentException(
          "--head "
              + wanted.key()
              + ": the teachers were trained with "
              + (trained == Readout.LABEL ? "--head label" : "linear heads")
              + "; distil with the readout they were trained with");
    }
    if (wanted != Readout.SHARED) {
      return copy(m, teachers);
    }
    try (NDManager tmp = m.newSubManager()) {
      NDArray w = teachers.weight().stopGradient().mean(new int[] {0}, true); // (1, C, d)
      NDArray b = teachers.bias().stopGradient().mean(new int[] {0}, true); // (1, C)
      return new TaskHeads(m, Readout.SHARED, w, b, teachers.numClasses());
    }
  }

  /**
   * The teachers' heads as one (K, C, d) set, padding class rows to the largest task: each teacher
   * reads out with its own head (a one-task shared head is that task's head), or label heads.
   */
  private static TaskHeads stackHeads(NDManager m, Teachers t) {
    List<TaskHeads> heads = new ArrayList<>();
    for (Path dir : t.dirs()) {
      heads.add(RunDir.loadHeads(dir, m));
    }
    int[] classes = Models.classes(t.tasks());
    int c = java.util.Arrays.stream(classes).max().orElse(1);
    long d = heads.getFirst().weight().getShape().get(2);
    NDList w = new NDList();
    NDList b = new NDList();
    for (TaskHeads h : heads) {
      long ci = h.weight().getShape().get(1);
      w.add(h.weight().get(0).concat(m.zeros(new Shape(c - ci, d)), 0));
      b.add(h.bias().get(0).concat(m.zeros(new Shape(c - ci)), 0));
    }
    boolean label = heads.stream().allMatch(h -> h.readout() == Readout.LABEL);
    if (!label && heads.stream().anyMatch(h -> h.readout() == Readout.LABEL)) {
      throw new CheckpointException(
          "teachers in " + t.dirs() + " mix label heads with linear heads; train them alike");
    }
    TaskHeads stacked =
        new TaskHeads(
            m,
            label ? Readout.LABEL : Readout.TASK,
            NDArrays.stack(w, 0),
            NDArrays.stack(b, 0),
            classes);
    heads.forEach(TaskHeads::close);
    return stacked;
  }

  private static TaskHeads copy(NDManager m, TaskHeads h) {
    return new TaskHeads(
        m, h.readout(), h.weight().stopGradient(), h.bias().stopGradient(), h.numClasses());
  }
}
