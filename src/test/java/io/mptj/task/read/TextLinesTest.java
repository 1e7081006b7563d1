package io.mptj.task.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.task.DataException;
import io.mptj.task.Example;
import io.mptj.task.Label;
import io.mptj.testing.DataFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Line splitting: which lines are rows, which are ignored, and their numbers. */
class TextLinesTest {
  @TempDir Path dir;

  /** Each line passed on, as "number:text". */
  private List<String> lines(String content) {
    Path file = DataFiles.bytes(dir, "f.txt", content.getBytes(StandardCharsets.UTF_8));
    List<String> out = new ArrayList<>();
    TextLines.forEach(file, (line, number) -> out.add(number + ":" + line));
    return out;
  }

  @Test
  void whitespaceOnlyLinesAreRowsAsWritten() {
    assertEquals(List.of("1:a", "2:\t\t\t", "3:  ", "4:b"), lines("a\n\t\t\t\n  \nb\n"));
  }

  @Test
  void onlyTrailingEmptyLinesAreDropped() {
    assertEquals(List.of("1:a"), lines("a\n"));
    assertEquals(List.of("1:a"), lines("a"));
    assertEquals(List.of("1:a", "2:", "3:b"), lines("a\r\n\r\nb\r\n\r\n\n"));
    assertEquals(List.of("1:a", "2:\t"), lines("a\n\t\n"));
  }

  @Test
  void aFileOfEmptyLinesIsEmpty() {
    String m = assertThrows(DataException.class, () -> lines("\n\n")).getMessage();
    assertTrue(m.contains("f.txt") && m.contains("empty"), m);
  }

  @Test
  void aTsvRowOfEmptyFieldsKeepsItsWidth() {
    Path file = DataFiles.write(dir, "t.tsv", "a\tb\tc\td", "\t\t\t", "1\t2\t3\t4");
    var format = TsvReader.Format.withHeader("a", "d");
    List<String> got = new ArrayList<>();
    TsvReader.read(
        file,
        format,
        (row, i) -> {
          got.add(row.line() + ":" + row.get("a") + "|" + row.get("d"));
          return new Example("x" + i, java.util.Map.of("a", row.get("a")), Label.NONE);
        });
    assertEquals(List.of("2:|", "3:1|4"), got);
  }
}
