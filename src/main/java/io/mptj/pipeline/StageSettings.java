package io.mptj.pipeline;

import io.mptj.backbone.Backbone;
import io.mptj.backbone.BackboneFamilies;
import io.mptj.backbone.BackboneFamily;
import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import io.mptj.method.MethodConfig;
import io.mptj.method.TuningMethod;
import io.mptj.train.DistillSettings;
import io.mptj.train.HeadSettings;
import io.mptj.train.OptimizerSettings;
import io.mptj.train.RunSettings;
import io.mptj.train.Schedule;
import io.mptj.train.TrainerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resolved settings of one stage's run, each part owned by the code that reads it: the run
 * (trainer), the optimizer, the encoder heads, distillation, and the tuning method's own config.
 * Built by {@link #resolve} from defaults ← spec ← flags; saved flat under {@code hyper} in the
 * run's config.json (by each setting's {@link Knob#saved()} name, as earlier versions wrote it).
 */
public record StageSettings(
    Stage stage,
    RunSettings run,
    OptimizerSettings optimizer,
    HeadSettings head,
    DistillSettings distill,
    TuningMethod method,
    MethodConfig config) {

  /** The settings a stage with {@code method} reads: the flags its command accepts. */
  public static List<Knob> knobs(Stage stage, TuningMethod method) {
    List<Knob> all = new ArrayList<>(RunSettings.KNOBS);
    all.addAll(OptimizerSettings.KNOBS);
    all.addAll(HeadSettings.KNOBS);
    if (stage == Stage.DISTILL) {
      all.addAll(DistillSettings.KNOBS);
    }
    all.addAll(method.knobs());
    return all;
  }

  /** Every setting any stage or method reads (what an experiment spec's {@code hyper} may hold). */
  public static List<Knob> allKnobs() {
    List<Knob> all = new ArrayList<>(RunSettings.KNOBS);
    all.addAll(OptimizerSettings.KNOBS);
    all.addAll(HeadSettings.KNOBS);
    all.addAll(DistillSettings.KNOBS);
    io.mptj.method.MethodRegistry.allKnobs().forEach(all::add);
    return all;
  }

  /**
   * The settings of a stage: each setting's default, the family's stage defaults, then {@code
   * given} (a spec's and the flags' values; keys the stage does not read are ignored here — the CLI
   * refuses them before).
   */
  public static StageSettings resolve(
      Backbone backbone, Stage stage, TuningMethod method, SettingsMap given) {
    return resolve(BackboneFamilies.named(backbone.family()), stage, method, given);
  }

  /** The settings of a stage on a backbone of {@code family}. */
  public static StageSettings resolve(
      BackboneFamily family, Stage stage, TuningMethod method, SettingsMap given) {
    List<Knob> knobs = knobs(stage, method);
    Map<String, Object> familyDefaults = new LinkedHashMap<>(StageDefaults.of(family, stage));
    familyDefaults.keySet().retainAll(knobs.stream().map(Knob::key).toList());
    SettingsMap s =
        SettingsMap.defaults(knobs)
            .then(SettingsMap.of(familyDefaults, knobs, "defaults"))
            .then(readable(given, knobs));
    return new StageSettings(
        stage,
        RunSettings.from(s),
        OptimizerSettings.from(s),
        HeadSettings.from(s),
        stage == Stage.DISTILL ? DistillSettings.from(s) : DistillSettings.DEFAULT,
        method,
        method.config(s));
  }

  private static SettingsMap readable(SettingsMap given, List<Knob> knobs) {
    Map<String, Object> kept = new LinkedHashMap<>(given.asMap());
    kept.keySet().retainAll(knobs.stream().map(Knob::key).toList());
    return SettingsMap.of(kept, knobs, "settings");
  }

  /** The run, optimizer, head and distillation settings saved in a run's config.json. */
  public static Saved fromSaved(Map<String, ?> hyper, String where) {
    List<Knob> knobs = new ArrayList<>(RunSettings.KNOBS);
    knobs.addAll(OptimizerSettings.KNOBS);
    knobs.addAll(HeadSettings.KNOBS);
    knobs.addAll(DistillSettings.KNOBS);
    SettingsMap s = SettingsMap.fromSaved(hyper, knobs, where).orDefaults();
    return new Saved(RunSettings.from(s), HeadSettings.from(s), DistillSettings.from(s));
  }

  /** What a saved run's evaluation needs of its settings. */
  public record Saved(RunSettings run, HeadSettings head, DistillSettings distill) {}

  /**
   * These settings with the prompt length of the prompt a run starts from (a teacher, P*, a source
   * prompt), saying so on standard error when it differs from the requested one.
   */
  public StageSettings withPromptLength(int p) {
    if (p != config.virtualTokens()) {
      io.mptj.engine.Reporter.current()
          .info(
              StageSettings.class,
              "prompt length "
                  + p
                  + " (that of the prompt this run starts from), not "
                  + config.virtualTokens());
    }
    return new StageSettings(
        stage, run, optimizer, head, distill, method, config.withVirtualTokens(p));
  }

  /** These settings with a different method config (e.g. the distillation student's). */
  public StageSettings withConfig(MethodConfig c) {
    return new StageSettings(stage, run, optimizer, head, distill, method, c);
  }

  /**
   * The settings one run actually uses: {@code epochs} turned into steps over this run's own
   * training examples, and warmup capped at half the run, so that the saved config is the effective
   * one.
   */
  public StageSettings forTraining(List<PreparedTask> tasks) {
    long examples = tasks.stream().mapToLong(t -> t.train().size()).sum();
    RunSettings r = run.resolved(examples);
    return new StageSettings(stage, r, optimizer.capped(r.steps()), head, distill, method, config);
  }

  /** The trainer's settings. */
  public TrainerConfig trainer(boolean progress) {
    Map<String, Double> lrs = new LinkedHashMap<>(config.learningRates());
    lrs.putAll(head.learningRates());
    int steps = run.steps();
    Schedule schedule = optimizer.schedule(steps);
    return new TrainerConfig(
        steps,
        run.batchSize(),
        run.evalEvery(),
        run.evalBatchSize(),
        Math.max(10, steps / 10),
        run.seed(),
        run.stochasticTasks(),
        run.mixCap(),
        run.groupByLength(),
        optimizer.adamW(lrs),
        schedule,
        Math.max(1, Math.min(10, steps / 50)),
        progress);
  }

  /** The values saved under {@code hyper} in config.json. */
  public Map<String, Object> saved() {
    Map<String, Object> m = new LinkedHashMap<>(config.saved());
    m.putAll(run.saved());
    m.putAll(optimizer.saved());
    m.putAll(head.saved());
    if (stage == Stage.DISTILL) {
      m.putAll(distill.saved());
    }
    return m;
  }
}
