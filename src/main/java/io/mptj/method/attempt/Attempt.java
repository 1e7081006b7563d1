package io.mptj.method.attempt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Json;
import io.mptj.engine.SafetensorsFile;
import io.mptj.engine.Seeds;
import io.mptj.engine.SettingsMap;
import io.mptj.method.AdapterConfig;
import io.mptj.method.MethodConfig;
import io.mptj.method.NamedMethod;
import io.mptj.method.PeftAdapter;
import io.mptj.method.Projections;
import io.mptj.method.PromptInit;
import io.mptj.method.PromptModule;
import io.mptj.method.Upstream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * ATTEMPT as a plug-in: the frozen source prompts are those of a {@code mptj source} output (every
 * task in its {@code teachers.json}); the target prompt starts from sampled vocabulary, the
 * attention module's projections from {@code kaiming_uniform(a = √5)}.
 */
public final class Attempt extends NamedMethod {

  /** The adapter type mptj writes (PEFT has no ATTEMPT). */
  public static final String PEFT_TYPE = "MPTJ_ATTEMPT";

  private static final String TEACHERS = "teachers.json";

  public Attempt() {
    super("attempt", "ATTEMPT", AttemptConfig.KNOBS, Upstream.SOURCES, PEFT_TYPE);
  }

  @Override
  public AttemptConfig config(SettingsMap settings) {
    return AttemptConfig.from(settings);
  }

  @Override
  public PromptModule create(Init init, MethodConfig config, NDManager parent) {
    AttemptConfig c = (AttemptConfig) config;
    int k = init.numTasks();
    int d = init.backbone().hiddenSize();
    DataType type = init.backbone().wordEmbeddings().getDataType();
    try (NDManager tmp = parent.newSubManager()) {
      NDArray sources = sourcePrompts(init.from(), tmp); // (t, P, d)
      int p = (int) sources.getShape().get(1);
      NDArray target = PromptInit.fresh(init.backbone(), tmp, p, c.init(), init.seed()); // (P, d)
      long seed = Seeds.derive(init.seed(), "attempt-attention", 0);
      NDArray down = Projections.kaiming(tmp, new Shape(k, c.rank(), d), d, seed, type);
      NDArray up = Projections.kaiming(tmp, new Shape(k, d, c.rank()), c.rank(), seed + 1, type);
      return new AttemptPrompt(
          parent, sources.toType(type, false), target.expandDims(0).repeat(0, k), down, up);
    }
  }

  /** The prompts of every source run listed in {@code dir/teachers.json}: (t, P, d). */
  static NDArray sourcePrompts(Path dir, NDManager m) {
    if (dir == null || !Files.isRegularFile(dir.resolve(TEACHERS))) {
      throw new CheckpointException(
          "--method attempt needs --from DIR, the output of ./mptj source (no "
              + TEACHERS
              + " in "
              + dir
              + ")");
    }
    Map<String, String> tasks;
    try {
      Map<?, ?> index = Json.MAPPER.readValue(dir.resolve(TEACHERS).toFile(), Map.class);
      @SuppressWarnings("unchecked")
      Map<String, String> t = (Map<String, String>) index.get("tasks");
      tasks = t;
    } catch (IOException | ClassCastException e) {
      throw new CheckpointException(dir.resolve(TEACHERS) + ": " + e.getMessage(), e);
    }
    if (tasks == null || tasks.isEmpty()) {
      throw new CheckpointException(dir.resolve(TEACHERS) + ": no \"tasks\"");
    }
    NDList prompts = new NDList();
    for (String run : tasks.values()) {
      try (PromptModule p = PeftAdapter.load(dir.resolve(run), m)) {
        prompts.add(p.taskPrompt(m, 0)); // (P, d)
      }
    }
    long p0 = prompts.getFirst().getShape().get(0);
    if (prompts.stream().anyMatch(x -> x.getShape().get(0) != p0)) {
      throw new CheckpointException(dir + ": the source prompts differ in length");
    }
    return ai.djl.ndarray.NDArrays.stack(prompts);
  }

  @Override
  public PromptModule load(AdapterConfig c, SafetensorsFile f, NDManager parent) {
    int p = ((Number) c.require("num_virtual_tokens")).intValue();
    int d = ((Number) c.require("token_dim")).intValue();
    int t = ((Number) c.require("num_sources")).intValue();
    int r = ((Number) c.require("attempt_rank")).intValue();
    PeftAdapter.expectKeys(
        f,
        Set.of(
            PeftAdapter.PROMPT_KEY,
            AttemptPrompt.SOURCES_KEY,
            AttemptPrompt.DOWN_KEY,
            AttemptPrompt.UP_KEY));
    try (NDManager tmp = parent.newSubManager()) {
      return new AttemptPrompt(
          parent,
          f.require(tmp, AttemptPrompt.SOURCES_KEY, t, p, d),
          f.require(tmp, PeftAdapter.PROMPT_KEY, p, d).expandDims(0),
          f.require(tmp, AttemptPrompt.DOWN_KEY, r, d).expandDims(0),
          f.require(tmp, AttemptPrompt.UP_KEY, d, r).expandDims(0));
    }
  }
}
