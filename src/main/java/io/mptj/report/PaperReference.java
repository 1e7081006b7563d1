package io.mptj.report;

import io.mptj.engine.Json;
import io.mptj.engine.JsonFields;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The paper's own numbers (Wang et al., ICLR 2023, arXiv 2303.02861, Tables 1–4, T5-Base),
 * transcribed verbatim into the resource {@code paper.json}, for showing beside ours.
 *
 * @param source the citation
 * @param url the paper's address
 * @param backbone the backbone the paper's numbers are for
 * @param tables the paper's tables, one per shots setting (few-shot tables split by k)
 */
record PaperReference(String source, String url, String backbone, List<PaperTable> tables) {

  /** The resource name, next to this class. */
  static final String RESOURCE = "paper.json";

  private static final Map<String, String> AVERAGES =
      Map.of(
          "avg:GLUE", "glue/",
          "avg:SUPERGLUE", "superglue/",
          "avg:OTHERS", "others/",
          "avg:MRQA", "mrqa/");

  private static final Map<String, String> AVERAGE_LABELS =
      Map.of(
          "avg:GLUE", "GLUE Avg",
          "avg:SUPERGLUE", "SG Avg",
          "avg:OTHERS", "Others Avg",
          "avg:MRQA", "MRQA Avg");

  /**
   * One of the paper's tables.
   *
   * @param table its name in the paper, e.g. {@code Table 1}
   * @param shots 0 for full data, else k
   * @param caption what it shows
   * @param columns mptj task names, and {@code avg:GLUE} etc. for the paper's averages
   * @param rows one per method
   */
  record PaperTable(
      String table, int shots, String caption, List<String> columns, List<PaperRow> rows) {

    /** Copies the lists. */
    PaperTable {
      columns = List.copyOf(columns);
      rows = List.copyOf(rows);
    }
  }

  /**
   * One method's row, values as printed ({@code 85.9±0.07}, {@code –} when not reported).
   *
   * @param method the paper's method name, e.g. {@code MPT*}
   * @param params trainable parameters per task as printed
   * @param values one per column
   */
  record PaperRow(String method, String params, List<String> values) {

    /** Copies the list. */
    PaperRow {
      values = List.copyOf(values);
    }
  }

  /** Copies the list. */
  PaperReference {
    tables = List.copyOf(tables);
  }

  /** Reads the bundled resource. */
  static PaperReference load() {
    try (InputStream in = PaperReference.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new ReportException("resource io/mptj/report/" + RESOURCE + " is missing");
      }
      return parse(JsonInput.top(Path.of(RESOURCE), 0, Json.LENIENT.readTree(in)));
    } catch (IOException e) {
      throw new ReportException("cannot read resource " + RESOURCE + ": " + e.getMessage(), e);
    }
  }

  private static PaperReference parse(JsonFields f) {
    return new PaperReference(
        f.text("source"),
        f.text("url"),
        f.text("backbone"),
        f.objects("tables").stream().map(PaperReference::table).toList());
  }

  private static PaperTable table(JsonFields t) {
    List<String> columns = t.texts("columns");
    List<PaperRow> rows = new ArrayList<>();
    for (JsonFields r : t.objects("rows")) {
      List<String> values = r.texts("values");
      if (values.size() != columns.size()) {
        throw r.error("values", values.size() + " values for " + columns.size() + " columns");
      }
      rows.add(new PaperRow(r.text("method"), r.text("params"), values));
    }
    return new PaperTable(t.text("table"), t.integer("shots"), t.text("caption"), columns, rows);
  }

  /**
   * The paper's tables for a shots setting, cut to our methods (in our order) and our tasks, with
   * the paper's averages of the benchmarks our tasks belong to; tables with nothing in common are
   * left out.
   *
   * @return per kept table, its caption and its rows
   */
  List<Map.Entry<String, Doc.Table>> matching(int shots, List<String> methods, List<String> tasks) {
    List<Map.Entry<String, Doc.Table>> out = new ArrayList<>();
    for (PaperTable t : tables) {
      List<Integer> cols = columnsFor(t, tasks);
      List<PaperRow> rows =
          methods.stream()
              .flatMap(m -> t.rows().stream().filter(r -> r.method().equals(m)))
              .toList();
      if (t.shots() == shots && !rows.isEmpty() && !cols.isEmpty()) {
        out.add(Map.entry(t.table() + " (" + t.caption() + ")", cut(t, cols, rows)));
      }
    }
    return out;
  }

  private static List<Integer> columnsFor(PaperTable t, List<String> tasks) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < t.columns().size(); i++) {
      String c = t.columns().get(i);
      String prefix = AVERAGES.get(c);
      boolean keep =
          prefix == null
              ? tasks.contains(c)
              : tasks.stream().anyMatch(x -> x.startsWith(prefix) && t.columns().contains(x));
      if (keep) {
        out.add(i);
      }
    }
    return out.stream().anyMatch(i -> !AVERAGES.containsKey(t.columns().get(i))) ? out : List.of();
  }

  private static Doc.Table cut(PaperTable t, List<Integer> cols, List<PaperRow> rows) {
    List<String> tasks =
        cols.stream().map(i -> t.columns().get(i)).filter(c -> !AVERAGES.containsKey(c)).toList();
    List<String> shorts = TaskOrder.shortNames(tasks);
    List<String> header = new ArrayList<>(List.of("Method (paper)", "Params/task"));
    for (int i : cols) {
      String c = t.columns().get(i);
      header.add(AVERAGES.containsKey(c) ? averageTitle(t, c) : shorts.get(tasks.indexOf(c)));
    }
    List<List<String>> body = new ArrayList<>();
    for (PaperRow r : rows) {
      List<String> row = new ArrayList<>(List.of(r.method(), r.params()));
      cols.forEach(i -> row.add(r.values().get(i)));
      body.add(row);
    }
    return new Doc.Table(header, body);
  }

  /** E.g. {@code GLUE Avg (8/8)}: the paper averages over all the benchmark's tasks. */
  private static String averageTitle(PaperTable t, String column) {
    long n = t.columns().stream().filter(c -> c.startsWith(AVERAGES.get(column))).count();
    return AVERAGE_LABELS.get(column) + " (" + n + "/" + n + ")";
  }
}
