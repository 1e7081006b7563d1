package io.mptj.cli;

import io.mptj.backbone.Backbone;
import io.mptj.backbone.Backbones;
import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import io.mptj.method.TuningMethod;
import io.mptj.pipeline.Context;
import io.mptj.pipeline.Stage;
import io.mptj.pipeline.StageSettings;
import io.mptj.task.Task;
import io.mptj.task.bench.TaskRegistry;
import io.mptj.task.data.DataDir;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The flags every training command takes besides its settings: backbone, data, output and progress.
 * The settings' flags come from their {@link Knob}s ({@link KnobOptions}); unset settings take the
 * defaults of the backbone's family and the stage (see {@link StageSettings#resolve}), and the
 * resolved values are saved in each run's config.json.
 */
final class TrainingOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--backbone",
      defaultValue = Backbones.DEFAULT,
      description =
          "minilm (bundled), a model directory, or a downloaded hub id (default: ${DEFAULT-VALUE})")
  String backbone;

  @Option(
      names = "--data-dir",
      description = "data directory (default: $MPTJ_DATA_DIR, ../shared/data, or the cache)")
  Path dataDir;

  @Option(names = "--out", required = true, description = "output run directory")
  Path out;

  @Option(names = "--no-progress", description = "no progress bar")
  boolean noProgress;

  /** Loads the backbone and resolves the data directory. */
  Context context() {
    Backbone b = Backbones.load(backbone);
    try {
      return new Context(b, DataDir.resolve(dataDir), !noProgress);
    } catch (RuntimeException e) {
      b.close();
      throw e;
    }
  }

  /**
   * The stage's settings for {@code method}: defaults for the backbone's family, with the flags
   * given applied; {@code --epochs} is turned into steps by each run over its own training data.
   *
   * @throws IllegalArgumentException for a flag this stage and method do not read
   */
  StageSettings settings(Context ctx, Stage stage, TuningMethod method) {
    List<Knob> all = ((KnobOptions.SettingsCommand) command.userObject()).knobs();
    SettingsMap given = KnobOptions.given(command, all);
    List<Knob> read = StageSettings.knobs(stage, method);
    List<String> unread = given.unread(read);
    if (!unread.isEmpty()) {
      throw new IllegalArgumentException(
          unread.stream().map(given::flagOf).collect(Collectors.joining(", "))
              + (unread.size() == 1 ? " is" : " are")
              + " not read by `"
              + command.name()
              + (command.name().equals("adapt") ? " --method " + method.name() : "")
              + "`");
    }
    return StageSettings.resolve(ctx.backbone(), stage, method, given);
  }

  /** The knobs of several stage/method pairs, each key once (a command that runs any of them). */
  static List<Knob> union(List<List<Knob>> lists) {
    LinkedHashMap<String, Knob> byKey = new LinkedHashMap<>();
    lists.forEach(l -> l.forEach(k -> byKey.putIfAbsent(k.key(), k)));
    return List.copyOf(byKey.values());
  }

  /**
   * Parses a comma-separated task list: registry names, spec files, or data-directory folders
   * holding a spec ({@code extra/mnli-sample}).
   */
  List<Task> tasks(String list) {
    Path data = DataDir.resolveOrNull(dataDir);
    return Arrays.stream(list.split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .map(name -> TaskRegistry.get(name, data))
        .toList();
  }
}
