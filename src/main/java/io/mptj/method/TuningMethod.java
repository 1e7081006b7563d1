package io.mptj.method;

import ai.djl.ndarray.NDManager;
import io.mptj.backbone.Backbone;
import io.mptj.engine.Knob;
import io.mptj.engine.SafetensorsFile;
import io.mptj.engine.SettingsMap;
import java.nio.file.Path;
import java.util.List;

/**
 * A parameter-efficient tuning method as a plug-in: its settings, how it builds and restores its
 * trainable module, and its PEFT adapter layout. The trainer, checkpoints, the experiment runner,
 * the report and the CLI reach methods only through this interface and {@link MethodRegistry};
 * adding one is a folder under {@code io.mptj.method} plus one registry line.
 */
public interface TuningMethod {

  /** The registry key and {@code --method} value, e.g. {@code pt}. */
  String name();

  /** How reports label the method, e.g. {@code SPoT}. */
  String label();

  /** The method's own settings (its knobs), merged with the run's like every other setting. */
  List<Knob> knobs();

  /** The method's settings record from resolved values (validated there). */
  MethodConfig config(SettingsMap settings);

  /** What target adaptation starts from. */
  default Upstream upstream() {
    return Upstream.NONE;
  }

  /**
   * A module for fresh tasks.
   *
   * @param init the backbone, number of tasks, upstream run and seed
   * @return a module owned by a sub-manager of {@code parent}
   */
  PromptModule create(Init init, MethodConfig config, NDManager parent);

  /**
   * Whether, given several target tasks at once, the method shares part of its module across them
   * and then trains each task's own part alone (MPT*); otherwise each task trains separately.
   */
  default boolean sharesAcrossTargets() {
    return false;
  }

  /**
   * Task {@code task}'s own part of a module trained jointly on a group, with the shared part
   * frozen, for the per-task stage of {@link #sharesAcrossTargets()} methods.
   */
  default PromptModule alone(PromptModule joint, int task, NDManager parent) {
    throw new UnsupportedOperationException(name() + " does not share parameters across targets");
  }

  /**
   * Whether the method can be the student of multitask distillation ({@link #student}); {@code mptj
   * distill} uses such a method.
   */
  default boolean distils() {
    return false;
  }

  /**
   * A fresh student for multitask distillation from frozen teacher prompts.
   *
   * @param teachers one prompt per source task, (K, P, d)
   */
  default PromptModule student(
      Init init, PromptModule teachers, MethodConfig config, NDManager parent) {
    throw new UnsupportedOperationException(name() + " is not a distillation student");
  }

  /** PEFT's {@code peft_type} of the adapters this method writes. */
  String peftType();

  /**
   * Restores a saved module from its PEFT adapter.
   *
   * @throws io.mptj.engine.CheckpointException naming the file and tensor when keys or shapes
   *     disagree with the config
   */
  PromptModule load(AdapterConfig config, SafetensorsFile weights, NDManager parent);

  /**
   * What a new module is built for.
   *
   * @param backbone the frozen backbone
   * @param numTasks tasks the module holds
   * @param from the upstream run ({@link #upstream()}), or null
   * @param seed the seed of the module's random initialisation
   * @param source which of the upstream run's tasks to start from (MPT: source k's task vectors),
   *     or -1 for the method's default (MPT: their average)
   */
  record Init(Backbone backbone, int numTasks, Path from, long seed, int source) {

    /** Starting from the method's default choice of upstream task. */
    public Init(Backbone backbone, int numTasks, Path from, long seed) {
      this(backbone, numTasks, from, seed, -1);
    }

    /** This start, from upstream task {@code k}. */
    public Init fromSource(int k) {
      return new Init(backbone, numTasks, from, seed, k);
    }
  }
}
