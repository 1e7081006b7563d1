package io.mptj.pipeline;

import io.mptj.backbone.Backbone;
import java.nio.file.Path;

/**
 * What every stage needs besides its hyper-parameters; closing it closes the backbone.
 *
 * @param backbone the loaded frozen backbone
 * @param dataDir the data directory
 * @param progress whether to draw progress bars on standard error
 */
public record Context(Backbone backbone, Path dataDir, boolean progress) implements AutoCloseable {
  @Override
  public void close() {
    backbone.close();
  }
}
