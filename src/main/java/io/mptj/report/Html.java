package io.mptj.report;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a {@link Doc} as one self-contained HTML page: inline CSS, pictures by relative path, no
 * scripts and nothing fetched from elsewhere.
 */
final class Html {
  private Html() {}

  private static final Pattern LINK = Pattern.compile("\\[([^\\]]+)\\]\\((https?://[^)\\s]+)\\)");

  private static final String CSS =
      """
      body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1200px;margin:2em auto;\
      padding:0 1em;color:#222;line-height:1.45}
      h1{font-size:1.7em;border-bottom:2px solid #ddd;padding-bottom:.2em}
      h2{font-size:1.35em;margin-top:1.8em;border-bottom:1px solid #eee}
      h3{font-size:1.1em;margin-top:1.4em}
      table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.9em;display:block;overflow-x:auto}
      th,td{border:1px solid #ccc;padding:.25em .6em;white-space:nowrap}
      th{background:#f3f3f3}
      td{text-align:right;font-variant-numeric:tabular-nums}
      td:first-child{text-align:left;font-weight:600}
      tr:nth-child(even) td{background:#fafafa}
      img{max-width:100%;border:1px solid #eee;margin:.3em .3em .8em 0}
      pre{background:#f6f8fa;border:1px solid #e1e4e8;padding:.8em;overflow-x:auto;font-size:.85em}
      code{font-family:ui-monospace,"DejaVu Sans Mono",monospace}
      """;

  /** The whole page. */
  static String render(Doc doc) {
    StringBuilder out = new StringBuilder();
    out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.append("<title>").append(escape(doc.title())).append("</title>\n");
    out.append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
    out.append("<h1>").append(escape(doc.title())).append("</h1>\n");
    doc.blocks().forEach(b -> out.append(block(b)));
    return out.append("</body>\n</html>\n").toString();
  }

  private static String block(Doc.Block b) {
    return switch (b) {
      case Doc.Heading h -> tag("h" + h.level(), inline(h.text())) + "\n";
      case Doc.Para p -> tag("p", inline(p.text())) + "\n";
      case Doc.Table t -> table(t);
      case Doc.Image i ->
          "<img src=\"" + escape(i.path()) + "\" alt=\"" + escape(i.alt()) + "\">\n";
      case Doc.Code c -> "<pre><code>" + escape(c.text().stripTrailing()) + "</code></pre>\n";
      case Doc.Bullets l ->
          tag("ul", String.join("", l.items().stream().map(s -> tag("li", inline(s))).toList()))
              + "\n";
    };
  }

  private static String table(Doc.Table t) {
    StringBuilder out = new StringBuilder("<table>\n<thead>");
    out.append(row("th", t.header())).append("</thead>\n<tbody>\n");
    t.rows().forEach(r -> out.append(row("td", r)).append("\n"));
    return out.append("</tbody>\n</table>\n").toString();
  }

  private static String row(String cell, List<String> cells) {
    return tag("tr", String.join("", cells.stream().map(c -> tag(cell, inline(c))).toList()));
  }

  /** Escapes text and turns {@code [text](url)} into links. */
  private static String inline(String text) {
    Matcher m = LINK.matcher(text);
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (m.find()) {
      out.append(escape(text.substring(at, m.start())));
      out.append("<a href=\"").append(escape(m.group(2))).append("\">");
      out.append(escape(m.group(1))).append("</a>");
      at = m.end();
    }
    return out.append(escape(text.substring(at))).toString();
  }

  private static String tag(String name, String html) {
    return "<" + name + ">" + html + "</" + name + ">";
  }

  /** HTML-escapes text for element content and attribute values. */
  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
