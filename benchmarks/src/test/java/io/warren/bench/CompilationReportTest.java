package io.warren.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's "Compilation during the timed turns": what the JIT warm-up left, from the turns' compiler CPU. */
class CompilationReportTest {
  @Test
  void aRowsCompilerCpuIsTheMeanOverItsTurns() {
    Result row = row("warren", 80, 0, 6, 0); // 6 us per call in one of three turns: a compile mid-run
    assertEquals(2.0, row.compilerCpuMicros(), 1e-9);
    assertTrue(Double.isNaN(new Result("acquire", "a", "-", 1, 0, 1, 1, 1, 1, 1, 1, 1).compilerCpuMicros()),
        "a row without turns has nothing to say");
  }

  @Test
  void theTableListsTheRowsThatCompiledMostFirstAndLeavesOutRowsWithoutTurns() {
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < Report.COMPILATION_ROWS + 2; i++) {
      results.add(row("c" + i, 40, i, i, i));
    }
    results.add(new Result("acquire", "untimed", "-", 1, 0, 1, 1, 1, 1, 1, 1, 1));
    List<Result> most = Report.mostCompiled(results);
    assertEquals(Report.COMPILATION_ROWS, most.size());
    assertEquals("c6", most.get(0).name());
    assertEquals("c2", most.get(most.size() - 1).name());
    String table = Table.ofCompilation(most).markdown();
    // c6: 6 us of compiler CPU per call against 40 client + 40 serving.
    assertTrue(table.contains("| sync 64 B, c6, 1 inst, prefetch 1 | 6.0 | 80.0 | 7.5% |"), table);
    assertFalse(table.contains("untimed"));
  }

  @Test
  void theSummaryGivesTheMedianAndTheMost() {
    List<Result> results = List.of(row("a", 50, 0, 0, 0), row("b", 50, 1, 1, 1), row("c", 50, 9, 9, 9));
    String summary = Report.compilationSummary(results);
    // Per call 0, 1 and 9 us against 100 us of process CPU: median 1 us (1%), the most 9.
    assertTrue(summary.contains("median 1.0 us per call over 3 rows (1.0% of their client and serving CPU), the most "
        + "9.0 us per call"), summary);
    assertEquals("No rows were timed in turns: nothing to say about compilation.", Report.compilationSummary(List.of()));
  }

  @Test
  void aRunWithoutTimedRowsHasNoCompilationSection() {
    List<Result> untimed = List.of(new Result("acquire", "untimed", "-", 1, 0, 1, 1, 1, 1, 1, 1, 1));
    String text = Report.text(untimed, List.of(), List.of(), List.of(), List.of("memory"));
    assertFalse(text.contains("JIT compilation"), text);
    String markdown = Report.markdown(java.util.Map.of(), java.util.Map.of(), true, 1, untimed, List.of(), List.of(),
        List.of(), List.of("memory"));
    assertFalse(markdown.contains("### Compilation during the timed turns"), markdown);
    String timed = Report.markdown(java.util.Map.of(), java.util.Map.of(), true, 1, List.of(row("a", 50, 1, 1, 1)),
        List.of(), List.of(), List.of(), List.of("memory"));
    assertTrue(timed.contains("### Compilation during the timed turns"), timed);
  }

  @Test
  void aRunWithoutTargetsOrGapsLeavesThoseSectionsOut() {
    // --only acquire (or shipping, memory, codec) measures no target and no gap to raw.
    List<Result> acquire = List.of(new Result("acquire", "untimed", "-", 1, 0, 1, 1, 1, 1, 1, 1, 1));
    String text = Report.text(acquire, List.of(), List.of(), List.of(), List.of("memory"));
    assertFalse(text.contains("Targets"), text);
    assertFalse(text.contains("Where the gap to raw is"), text);
    String markdown = Report.markdown(java.util.Map.of(), java.util.Map.of(), true, 1, acquire, List.of(), List.of(),
        List.of(), List.of("memory"));
    assertFalse(markdown.contains("## Targets"), markdown);
    assertFalse(markdown.contains("## Where the gap to raw is"), markdown);
    List<GapSplit> gaps = List.of(GapSplit.of("sync 64 B", "p50", 360, 330, 300));
    List<Check> checks = List.of(Check.atMost("sync p50 / raw p50", 330, 300, 1.15));
    String full = Report.text(acquire, checks, List.of(), gaps, List.of("memory"));
    assertTrue(full.contains("Targets (ratio to the baseline measured in this run)"), full);
    assertTrue(full.contains("Where the gap to raw is"), full);
  }

  /** A sync row whose client and serving JVM each took {@code cpu} us per call, with three turns' compiler CPU. */
  private static Result row(String name, double cpu, double... compiler) {
    List<Harness.Run> turns = new ArrayList<>();
    for (double c : compiler) {
      turns.add(new Harness.Run(1_000, cpu, cpu, 100, 300, c));
    }
    return new Result("sync", name, "64 B", 1, 1, 1, 1_000, 300, 400, cpu, cpu, 100, turns);
  }
}
