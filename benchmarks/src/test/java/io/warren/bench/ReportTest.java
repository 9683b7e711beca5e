package io.warren.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
  @TempDir
  Path dir;

  @Test
  void aRerunKeepsTheHandWrittenSection() throws Exception {
    Path report = dir.resolve("benchmarks.md");
    Files.writeString(report, "# W\n\n## Notes\n\n- n\n\n## Changes and their effect\n\nkept\n| a |\n\n## Later\n\nx\n");
    assertEquals("\n## Changes and their effect\n\nkept\n| a |\n", Report.keptSection(report, BenchMain.CHANGES_HEADING));
  }

  @Test
  void aSectionAtTheEndIsKeptWhole() throws Exception {
    Path report = dir.resolve("benchmarks.md");
    Files.writeString(report, "# W\n\n## Changes and their effect\n\nkept\n");
    assertEquals("\n## Changes and their effect\n\nkept\n", Report.keptSection(report, BenchMain.CHANGES_HEADING));
  }

  @Test
  void nothingIsKeptWithoutTheSectionOrTheFile() throws Exception {
    assertEquals("", Report.keptSection(dir.resolve("missing.md"), BenchMain.CHANGES_HEADING));
    Path report = dir.resolve("benchmarks.md");
    Files.writeString(report, "# W\n\n## Notes\n");
    assertEquals("", Report.keptSection(report, BenchMain.CHANGES_HEADING));
  }
}
