package io.mptj.report;

import java.util.ArrayList;
import java.util.List;

/** Renders a {@link Doc.Table} as aligned plain text for a terminal. */
final class TextTable {
  private TextTable() {}

  /** The table with columns padded to their widest cell, the label column left-aligned. */
  static String render(Doc.Table t) {
    int[] width = new int[t.header().size()];
    List<List<String>> all = new ArrayList<>();
    all.add(t.header());
    all.addAll(t.rows());
    all.forEach(r -> widen(width, r));
    StringBuilder out = new StringBuilder(line(t.header(), width));
    out.append(rule(width));
    t.rows().forEach(r -> out.append(line(r, width)));
    return out.toString();
  }

  private static void widen(int[] width, List<String> row) {
    for (int i = 0; i < row.size(); i++) {
      width[i] = Math.max(width[i], row.get(i).length());
    }
  }

  private static String line(List<String> row, int[] width) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < row.size(); i++) {
      String pad = " ".repeat(width[i] - row.get(i).length());
      out.append(i == 0 ? row.get(i) + pad : "  " + pad + row.get(i));
    }
    return out.toString().stripTrailing() + "\n";
  }

  private static String rule(int[] width) {
    int total = width[0];
    for (int i = 1; i < width.length; i++) {
      total += 2 + width[i];
    }
    return "-".repeat(total) + "\n";
  }
}
