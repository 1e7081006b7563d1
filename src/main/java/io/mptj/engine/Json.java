package io.mptj.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The one JSON helper: shared mappers (configure per use with {@code MAPPER.reader().with(…)},
 * never by reconfiguring a shared one), one-line and atomic pretty writes, and strict field reads
 * through {@link JsonFields}.
 */
public final class Json {
  private Json() {}

  /** Jackson's defaults, except that an empty bean writes as {@code {}}. */
  public static final ObjectMapper MAPPER =
      JsonMapper.builder().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS).build();

  /** As {@link #MAPPER}, also reading {@code NaN} and {@code ±Infinity} (a diverged loss). */
  public static final ObjectMapper LENIENT =
      JsonMapper.builder()
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .build();

  /** YAML, for spec files. */
  public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Indented JSON, as run directories hold it. */
  public static final ObjectWriter PRETTY = MAPPER.writer(SerializationFeature.INDENT_OUTPUT);

  /** The mapper for a spec file: YAML unless its name ends in {@code .json}. */
  public static ObjectMapper forFile(Path file) {
    return file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json")
        ? MAPPER
        : YAML;
  }

  /** A value (map, record, list) as one line of JSON, e.g. a command's summary line. */
  public static String line(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value, e);
    }
  }

  /**
   * Writes indented JSON atomically: to {@code <file>.tmp} in the same folder, then renamed over
   * {@code file}, so a reader never sees half a file. Creates the folder.
   *
   * @throws UncheckedIOException "cannot write FILE: why"
   */
  public static void writeAtomic(Path file, Object value) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      PRETTY.writeValue(tmp.toFile(), value);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
