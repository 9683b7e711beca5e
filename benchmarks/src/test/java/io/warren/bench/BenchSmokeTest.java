package io.warren.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The harness's arithmetic and rendering, without a broker: the full benchmark is run by hand. */
class BenchSmokeTest {

  @Test
  void percentilesUseTheNearestRank() {
    long[] values = new long[100];
    for (int i = 0; i < 100; i++) {
      values[i] = 100 - i; // unsorted on purpose
    }
    assertEquals(50, Stats.percentile(values, 100, 50));
    assertEquals(99, Stats.percentile(values, 100, 99));
    assertEquals(100, Stats.percentile(values, 100, 100));
    assertEquals(1, Stats.percentile(values, 100, 0));
    assertEquals(7, Stats.percentile(new long[] {7, 0, 0}, 1, 99), "only the first count values count");
    assertThrows(IllegalArgumentException.class, () -> Stats.percentile(values, 0, 50));
  }

  @Test
  void longListGrowsPastItsFirstCapacity() {
    Stats.LongList list = new Stats.LongList();
    for (int i = 1; i <= 100_000; i++) {
      list.add(i);
    }
    assertEquals(100_000, list.size());
    assertEquals(50_000, list.percentile(50));
  }

  @Test
  void medianAndSlope() {
    assertEquals(2.0, Stats.median(new double[] {3, 1, 2}));
    assertEquals(2.5, Stats.median(new double[] {4, 1, 3, 2}));
    assertTrue(Double.isNaN(Stats.median(new double[0])));
    assertEquals(2.0, Stats.slope(new double[] {0, 1, 2, 3}, new double[] {1, 3, 5, 7}), 1e-9);
    assertEquals(0.0, Stats.slope(new double[] {0, 100, 200}, new double[] {5, 5, 5}), 1e-9);
  }

  @Test
  void procStatParsingSurvivesSpacesInTheCommandName() {
    String stat = "42 (java (main) x) S 1 42 42 0 -1 4194304 99 0 1 0 250 30 0 0 20 0 1 0 865921 3133440 359";
    assertEquals(280, Cpu.parseTicks(stat));
    assertTrue(Cpu.nanos(ProcessHandle.current().pid()) >= 0);
  }

  @Test
  void checksCompareAgainstTheirLimit() {
    Check latency = Check.atMost("p50", 115, 100, 1.15);
    assertTrue(latency.met());
    assertEquals("1.15x", latency.ratio());
    assertEquals("<= 1.15x", latency.target());
    Check throughput = Check.atLeast("rate", 80, 100, 0.85);
    assertFalse(throughput.met());
    assertEquals("MISSED", throughput.verdict());
  }

  @Test
  void tablesRenderAsTextAndMarkdown() {
    Result sync = new Result("sync", "raw amqp-client", "64 B", 1, 1, 1, 3050.4, 320.2, 430.9, 55.5, 40.1, 90.0);
    Result async = new Result("pipelined", "warren stateless", "64 B", 2, 20, 64, 12345.6, Double.NaN, Double.NaN,
        30, 20, 10);
    Table table = Table.of(List.of(sync, async));
    String text = table.text();
    assertTrue(text.contains("3,050"), text);
    assertTrue(text.contains("12,346"), text);
    assertEquals(4, text.lines().count(), "header, rule, two rows");
    String markdown = table.markdown();
    assertTrue(markdown.startsWith("| section | case |"), markdown);
    assertTrue(markdown.contains("| pipelined | warren stateless | 64 B | 2 | 20 | 64 | 12,346 | - | - |"), markdown);
    assertThrows(IllegalArgumentException.class, () -> new Table(List.of("a", "b")).row(List.of("x")));
  }

  @Test
  void reportHoldsTheCommandTheTablesAndTheVerdicts() {
    Result raw = new Result("sync", "raw amqp-client", "64 B", 1, 1, 1, 3000, 300, 400, 50, 40, 90);
    Result warren = new Result("sync", "warren stateless", "64 B", 1, 1, 1, 2500, 360, 500, 70, 60, 95);
    List<Check> checks = List.of(Check.atMost("sync 64 B warren stateless p50 / raw p50", warren.p50Micros(), raw.p50Micros(), 1.15));
    List<String> memory = Report.memory(
        List.of(new double[] {0, 1000, 2000}, new double[] {100, 1100, 2000}, new double[] {200, 1200, 2000}),
        List.of(11L), 1.0, 1, 20);
    assertTrue(memory.get(memory.size() - 1).contains("client 1.0000 B/call"), memory.toString());
    assertTrue(memory.get(memory.size() - 1).contains("worker 11 0.0000 B/call"), memory.toString());
    List<GapSplit> gaps = List.of(GapSplit.of("sync 64 B", "p50", 360, 330, 300));
    String md = Report.markdown(Map.of("CPUs (nproc)", "2"), Map.of("JDK", "17"), false, 1.0,
        List.of(raw, warren), checks, List.of(Check.atLeast("pipelined 64 B, 1 inst, prefetch 1, direct callbacks: warren / raw",
            90, 100, 0.85)), gaps, memory);
    assertTrue(md.contains(BenchMain.COMMAND), md);
    assertTrue(md.contains("| sync 64 B warren stateless p50 / raw p50 | 1.20x | - | - | <= 1.15x | MISSED |"), md);
    assertTrue(md.contains("Met 0 of 1. Missed 1, of which 0 reach the limit within the middle half of their turns."), md);
    assertTrue(md.contains("### Targets with an option: results completed where the replies arrive"), md);
    assertTrue(md.contains("| pipelined 64 B, 1 inst, prefetch 1, direct callbacks: warren / raw | 0.90x | - | - | >= 0.85x | met |"), md);
    assertTrue(md.contains("Met 1 of 1. Missed 0"), "the option's rows are counted apart: " + md);
    assertTrue(md.contains("| sync 64 B | p50 | 1.20x | 1.10x | 1.09x |"), md);
  }

  @Test
  void gapSplitsIntoShapeAndCodeThatMultiplyBack() {
    GapSplit pipelined = GapSplit.of("pipelined 64 B, 1 inst, prefetch 1", "rate", 4000, 4500, 5000);
    assertEquals(0.8, pipelined.warrenToRaw(), 1e-9);
    assertEquals(0.9, pipelined.shapeToRaw(), 1e-9);
    assertEquals(4000.0 / 4500, pipelined.warrenToShape(), 1e-9);
    assertEquals(pipelined.warrenToRaw(), pipelined.shapeToRaw() * pipelined.warrenToShape(), 1e-9);
    String text = Table.ofGaps(List.of(pipelined)).text();
    assertTrue(text.contains("0.80x") && text.contains("0.90x") && text.contains("0.89x"), text);
  }

  @Test
  void onlyNamesKnownSections() {
    assertEquals(java.util.Set.of("codec", "sync"), BenchMain.sections("codec,sync"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchMain.sections("sync,pipelind"));
    assertTrue(e.getMessage().contains("pipelind") && e.getMessage().contains("pipelined"), e.getMessage());
  }
}
