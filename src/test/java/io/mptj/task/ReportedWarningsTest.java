package io.mptj.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.engine.Reporter;
import io.mptj.task.bench.TaskRegistry;
import io.mptj.testing.DataFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Warnings about data go to the installed {@link Reporter}, naming {@link Task} as the source. */
class ReportedWarningsTest {
  @TempDir Path data;

  private final List<String> warnings = new ArrayList<>();

  private final Reporter recording =
      new Reporter() {
        @Override
        public void warn(Class<?> source, String message) {
          warnings.add(source.getSimpleName() + " " + message);
        }

        @Override
        public void info(Class<?> source, String message) {}

        @Override
        public Progress progress(String label, long total, long start, String unit, long size) {
          return NO_PROGRESS;
        }
      };

  @AfterEach
  void restore() {
    Reporter.install(Reporter.LOGGING);
  }

  @Test
  void aSkippedQuirkRowIsReportedWithTheTaskName() {
    DataFiles.qqpWithAShortRow(data);
    Reporter.install(recording);
    TaskRegistry.get("glue/QQP").read(data);
    assertEquals(1, warnings.size(), warnings.toString());
    String w = warnings.getFirst();
    assertTrue(w.startsWith("Task glue/QQP: skipped 1 row"), w);
    assertTrue(w.contains("train.tsv:2"), w);
  }
}
