package io.mptj.method.spot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.SafetensorsFile;
import io.mptj.engine.SettingsMap;
import io.mptj.method.AdapterConfig;
import io.mptj.method.MethodConfig;
import io.mptj.method.NamedMethod;
import io.mptj.method.PeftAdapter;
import io.mptj.method.PromptModule;
import io.mptj.method.Upstream;
import io.mptj.method.pt.PromptTuning;
import io.mptj.method.pt.PtConfig;
import io.mptj.method.pt.SoftPrompt;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * SPoT (Vu et al., 2022): vanilla prompt tuning whose prompt starts from one source task's trained
 * prompt (a run of {@code mptj source}); it saves PT's layout.
 */
public final class Spot extends NamedMethod {

  private final PromptTuning pt = new PromptTuning();

  public Spot() {
    super("spot", "SPoT", PtConfig.KNOBS, Upstream.SOURCE_RUN, AdapterConfig.PROMPT_TUNING);
  }

  @Override
  public PtConfig config(SettingsMap settings) {
    return pt.config(settings);
  }

  @Override
  public PromptModule create(Init init, MethodConfig config, NDManager parent) {
    Path from = init.from();
    if (from == null) {
      throw new IllegalArgumentException("--method spot needs --from DIR (one source task's run)");
    }
    if (Files.isRegularFile(from.resolve("teachers.json"))) {
      throw new CheckpointException(
          from
              + " holds several source prompts; pass one of them to --from, e.g. "
              + firstRun(from));
    }
    String type = PeftAdapter.readConfig(from).peftType();
    if (!type.equals(AdapterConfig.PROMPT_TUNING)) {
      throw new CheckpointException(
          from
              + " is not a vanilla prompt (its adapter is "
              + type
              + "); SPoT starts from one source task's run of ./mptj source, e.g. SOURCE_DIR/glue-MRPC");
    }
    try (NDManager tmp = parent.newSubManager();
        PromptModule source = PeftAdapter.load(from, tmp)) {
      NDArray prompt = source.taskPrompt(tmp, 0); // (P, d)
      return new SoftPrompt(parent, prompt.expandDims(0).repeat(0, init.numTasks())); // (K, P, d)
    }
  }

  /** The first sub-directory of a source-training output that holds an adapter. */
  private static Path firstRun(Path sources) {
    try (var dirs = Files.list(sources)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve(PeftAdapter.CONFIG)))
          .sorted()
          .findFirst()
          .orElse(sources.resolve("<task>"));
    } catch (java.io.IOException e) {
      return sources.resolve("<task>");
    }
  }

  @Override
  public PromptModule load(AdapterConfig c, SafetensorsFile f, NDManager parent) {
    return pt.load(c, f, parent);
  }
}
