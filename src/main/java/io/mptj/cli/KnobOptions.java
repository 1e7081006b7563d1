package io.mptj.cli;

import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Command-line options made from {@link Knob}s, so that a setting is declared once, by the code
 * that reads it, and every command that reads it takes its flag.
 */
final class KnobOptions {
  private KnobOptions() {}

  /** A command whose flags include settings. */
  interface SettingsCommand {
    /** Every setting the command may read (for {@code adapt}: those of any method). */
    List<Knob> knobs();
  }

  /** Adds an option per knob to every subcommand, at any depth, that reads settings. */
  static void install(CommandLine root) {
    root.getSubcommands()
        .values()
        .forEach(
            sub -> {
              if (sub.getCommand() instanceof SettingsCommand c) {
                install(sub.getCommandSpec(), c.knobs());
              }
              install(sub);
            });
  }

  private static void install(CommandSpec spec, List<Knob> knobs) {
    for (Knob k : knobs) {
      if (spec.findOption(k.flag()) != null) {
        continue;
      }
      OptionSpec.Builder b = OptionSpec.builder(k.flag()).description(help(k));
      if (k.type() == Knob.Type.BOOL) {
        b.arity("0").type(Boolean.class);
      } else {
        b.type(type(k)).paramLabel("<" + k.key() + ">");
      }
      spec.addOption(b.build());
    }
  }

  private static String help(Knob k) {
    return k.choices().isEmpty()
        ? k.help()
        : k.help() + " (" + String.join(", ", k.choices()) + ")";
  }

  private static Class<?> type(Knob k) {
    return switch (k.type()) {
      case INT -> Integer.class;
      case LONG -> Long.class;
      case DOUBLE -> Double.class;
      case BOOL -> Boolean.class;
      case TEXT -> String.class;
    };
  }

  /**
   * The settings given on the command line, by key.
   *
   * @throws IllegalArgumentException naming the flag of a bad value
   */
  static SettingsMap given(CommandSpec spec, List<Knob> knobs) {
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    Map<String, Object> values = new LinkedHashMap<>();
    for (Knob k : knobs) {
      if (parsed != null && parsed.hasMatchedOption(k.flag())) {
        Object v = parsed.matchedOptionValue(k.flag(), null);
        values.put(k.key(), k.type() == Knob.Type.BOOL ? Boolean.FALSE : v);
      }
    }
    return SettingsMap.of(values, knobs, "flags");
  }
}
