package io.mptj.download;

import java.nio.file.Path;

/** Where mptj keeps things on the user's machine. */
public final class Locations {
  private Locations() {}

  /**
   * The cache root: {@code $MPTJ_CACHE_DIR}, else {@code $XDG_CACHE_HOME/mptj}, else {@code
   * ~/.cache/mptj}. Models go under {@code models/}, downloaded data under {@code data/}.
   */
  public static Path cacheDir() {
    String own = System.getenv("MPTJ_CACHE_DIR");
    if (own != null && !own.isBlank()) {
      return Path.of(own);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("mptj");
  }

  /** The project checkout the launcher ran from ({@code -Dmptj.home}), or the working directory. */
  public static Path projectHome() {
    String home = System.getProperty("mptj.home");
    return Path.of(home != null ? home : System.getProperty("user.dir"))
        .toAbsolutePath()
        .normalize();
  }
}
