package io.mptj.report;

import java.util.List;
import java.util.Objects;

/**
 * A report as a list of blocks, rendered to Markdown ({@link Markdown}) and HTML ({@link Html})
 * from the same content. Paragraph and list text may hold links written {@code [text](url)}.
 *
 * @param title the document's title
 * @param blocks the content in order
 */
record Doc(String title, List<Block> blocks) {

  /** Copies the list. */
  Doc {
    Objects.requireNonNull(title, "title");
    blocks = List.copyOf(blocks);
  }

  /** One block of content. */
  sealed interface Block permits Heading, Para, Table, Image, Code, Bullets {}

  /** A section heading, level 2 or deeper (level 1 is the title). */
  record Heading(int level, String text) implements Block {}

  /** A paragraph of text. */
  record Para(String text) implements Block {}

  /**
   * A table whose first column is a label and the rest values.
   *
   * @param header column titles
   * @param rows cells, each row as long as the header
   */
  record Table(List<String> header, List<List<String>> rows) implements Block {

    /** Copies and checks the row widths. */
    Table {
      header = List.copyOf(header);
      rows = rows.stream().map(List::copyOf).toList();
      for (List<String> r : rows) {
        if (r.size() != header.size()) {
          throw new IllegalArgumentException(
              "table row " + r + " has " + r.size() + " cells for " + header.size() + " columns");
        }
      }
    }
  }

  /**
   * A picture.
   *
   * @param path its path relative to the report directory
   * @param alt a description
   */
  record Image(String path, String alt) implements Block {}

  /** Verbatim text, e.g. commands or a config file. */
  record Code(String text) implements Block {}

  /** A bulleted list. */
  record Bullets(List<String> items) implements Block {

    /** Copies the list. */
    Bullets {
      items = List.copyOf(items);
    }
  }
}
