package io.mptj.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Seeded mutations of valid inputs: bytes, text lines and JSON objects. */
final class Mutations {
  private Mutations() {}

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Flips a few bytes, overwrites the first 8 (a safetensors header length), or cuts the end. */
  static byte[] bytes(byte[] valid, Random rng) {
    byte[] b = Arrays.copyOf(valid, valid.length);
    switch (rng.nextInt(4)) {
      case 0 -> {
        for (int i = 0, n = 1 + rng.nextInt(8); i < n; i++) {
          b[rng.nextInt(b.length)] = (byte) rng.nextInt(256);
        }
      }
      case 1 -> {
        long[] lengths = {0, -1, 1, 7, b.length, b.length - 7, Long.MAX_VALUE, 1L << 40};
        long n = lengths[rng.nextInt(lengths.length)];
        for (int i = 0; i < 8 && i < b.length; i++) {
          b[i] = (byte) (n >>> (8 * i));
        }
      }
      case 2 -> b = Arrays.copyOf(b, rng.nextInt(b.length));
      default -> { // flip a byte inside the JSON header, where it matters most
        int header = (int) Math.min(b.length - 1, 8 + (b[0] & 0xff) + ((b[1] & 0xff) << 8));
        b[8 + rng.nextInt(Math.max(1, header - 8))] =
            (byte) " {}[],:\"0-9eE".charAt(rng.nextInt(13));
      }
    }
    return b;
  }

  /** Values that break readers: wrong types, extremes, empties. */
  static JsonNode oddValue(Random rng) {
    return switch (rng.nextInt(14)) {
      case 0 -> F.nullNode();
      case 1 -> F.numberNode(-1);
      case 2 -> F.numberNode(0);
      case 3 -> F.numberNode(Integer.MAX_VALUE);
      case 4 -> F.numberNode(Long.MAX_VALUE);
      case 5 -> F.numberNode(1e308);
      case 6 -> F.numberNode(0.5);
      case 7 -> F.textNode("");
      case 8 -> F.textNode("../../etc/passwd");
      case 9 -> F.booleanNode(rng.nextBoolean());
      case 10 -> F.arrayNode();
      case 11 -> F.arrayNode().add(F.textNode("x")).add(F.numberNode(3));
      case 12 -> F.objectNode().put("x", 1);
      default -> F.textNode("\u0000\uFFFF" + "x".repeat(rng.nextInt(300)));
    };
  }

  /** {@code changes} edits of an object: a key dropped, a value replaced, an unknown key added. */
  static String json(ObjectNode valid, Random rng, int changes) {
    ObjectNode o = valid.deepCopy();
    for (int c = 0; c < 1 + rng.nextInt(changes); c++) {
      List<String> keys = new ArrayList<>();
      o.fieldNames().forEachRemaining(keys::add);
      int what = rng.nextInt(4);
      if (keys.isEmpty() || what == 3) {
        o.set("unknown_" + rng.nextInt(100), oddValue(rng));
      } else if (what == 0) {
        o.remove(keys.get(rng.nextInt(keys.size())));
      } else {
        o.set(keys.get(rng.nextInt(keys.size())), oddValue(rng));
      }
    }
    return o.toString();
  }

  /** Text with a few characters replaced by syntax that matters to YAML/JSON/TSV. */
  static String text(String valid, Random rng) {
    StringBuilder b = new StringBuilder(valid);
    String odd = ":{}[]-#'\"\t\n\\&*!|>%@`,";
    for (int i = 0, n = 1 + rng.nextInt(6); i < n && b.length() > 0; i++) {
      b.setCharAt(rng.nextInt(b.length()), odd.charAt(rng.nextInt(odd.length())));
    }
    return b.toString();
  }

  /** A file's lines with a few cut, duplicated, emptied, garbled or cells removed. */
  static String lines(String valid, Random rng) {
    List<String> lines = new ArrayList<>(valid.lines().toList());
    for (int i = 0, n = 1 + rng.nextInt(4); i < n && !lines.isEmpty(); i++) {
      int at = rng.nextInt(lines.size());
      String l = lines.get(at);
      switch (rng.nextInt(6)) {
        case 0 -> lines.set(at, l.substring(0, rng.nextInt(l.length() + 1)));
        case 1 -> lines.set(at, "");
        case 2 -> lines.set(at, text(l, rng));
        case 3 -> lines.set(at, l.replaceFirst("\t[^\t]*$", ""));
        case 4 -> lines.set(at, l + "\textra");
        default -> lines.add(at, l);
      }
    }
    return String.join("\n", lines) + (rng.nextBoolean() ? "\n" : "");
  }
}
