package io.mptj.report;

import java.util.List;

/** Renders a {@link Doc} as GitHub-flavoured Markdown. */
final class Markdown {
  private Markdown() {}

  /** The whole document. */
  static String render(Doc doc) {
    StringBuilder out = new StringBuilder("# ").append(doc.title()).append("\n");
    for (Doc.Block b : doc.blocks()) {
      out.append("\n").append(block(b));
    }
    return out.toString();
  }

  private static String block(Doc.Block b) {
    return switch (b) {
      case Doc.Heading h -> "#".repeat(h.level()) + " " + h.text() + "\n";
      case Doc.Para p -> p.text() + "\n";
      case Doc.Table t -> table(t);
      case Doc.Image i -> "![" + i.alt() + "](" + i.path() + ")\n";
      case Doc.Code c ->
          fence(c.text()) + "\n" + c.text().stripTrailing() + "\n" + fence(c.text()) + "\n";
      case Doc.Bullets l -> String.join("", l.items().stream().map(s -> "- " + s + "\n").toList());
    };
  }

  /** A Markdown table. */
  static String table(Doc.Table t) {
    StringBuilder out = new StringBuilder(row(t.header()));
    out.append("|---");
    out.append("|--:".repeat(t.header().size() - 1)).append("|\n");
    t.rows().forEach(r -> out.append(row(r)));
    return out.toString();
  }

  private static String row(List<String> cells) {
    return "| "
        + String.join(" | ", cells.stream().map(c -> c.replace("|", "\\|")).toList())
        + " |\n";
  }

  /** A code fence longer than any run of backticks in the text. */
  private static String fence(String text) {
    int longest = 0;
    int run = 0;
    for (char ch : text.toCharArray()) {
      run = ch == '`' ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    return "`".repeat(Math.max(3, longest + 1));
  }
}
