package io.warren.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HarnessResultTest {
  /** Three turns: a slow one with few calls, two fast ones with many. */
  private static final Harness.Run[] TURNS = {
      new Harness.Run(100, 30, 20, 300, 5_000, 6), new Harness.Run(1_000, 10, 5, 100, 500, 0),
      new Harness.Run(900, 12, 6, 110, 500, 0)};

  @Test
  void latencyPercentilesAreOverEveryCallOfEveryTurn() {
    Stats.LongList latencies = new Stats.LongList();
    for (int i = 0; i < 100; i++) {
      latencies.add(5_000_000); // the slow turn: 100 calls of 5 ms
    }
    for (int i = 0; i < 1_900; i++) {
      latencies.add(500_000); // the fast turns: 1,900 calls of 0.5 ms
    }
    Result result = Harness.result("sync", "c", "64 B", 1, 1, 1, TURNS, latencies);
    // The 1,980th of the 2,000 calls is one of the slow turn's: a median of the turns' own p99s
    // (5 ms, 0.5 ms, 0.5 ms) would say 0.5 ms.
    assertEquals(500.0, result.p50Micros());
    assertEquals(5_000.0, result.p99Micros());
  }

  @Test
  void rateAndCpuAreMediansOverTheTurns() {
    Result result = Harness.result("pipelined", "c", "64 B", 1, 1, 64, TURNS, null);
    assertEquals(900.0, result.rate());
    assertEquals(12.0, result.clientCpuMicros());
    assertEquals(6.0, result.workerCpuMicros());
    assertEquals(110.0, result.brokerCpuMicros());
    assertTrue(Double.isNaN(result.p50Micros()) && Double.isNaN(result.p99Micros()), "no latencies without sync calls");
    assertEquals(List.of(TURNS), result.turns(), "the turns stay, in the order they ran");
  }

  @Test
  void aTurnsP50IsOverThatTurnsCallsOnly() {
    Stats.LongList latencies = new Stats.LongList();
    for (int i = 0; i < 10; i++) {
      latencies.add(9_000); // an earlier turn
    }
    latencies.add(3_000);
    latencies.add(1_000);
    latencies.add(2_000);
    assertEquals(2_000.0, latencies.percentileFrom(10, 50));
    assertTrue(Double.isNaN(latencies.percentileFrom(13, 50)), "a turn without calls has no p50");
    assertEquals(9_000, latencies.percentile(50), "the pooled percentile still sees every call");
  }

  @Test
  void turnRatiosPairEachTurnWithTheBaselinesTurnOfTheSameRotation() {
    Result raw = Harness.result("pipelined", "raw", "64 B", 1, 1, 64, new Harness.Run[] {
        run(1_000), run(1_000), run(2_000)}, null);
    Result warren = Harness.result("pipelined", "warren", "64 B", 1, 1, 64, new Harness.Run[] {
        run(900), run(800), run(1_000)}, null);
    Check check = Check.atLeast("rate", warren.rate(), raw.rate(), 0.85).withTurns(warren, raw, Harness.Run::rate);
    // Medians: warren 900, raw 1,000: the verdict is theirs.
    assertEquals(0.9, check.value(), 1e-9);
    assertEquals("met", check.verdict());
    // Turns: 0.9, 0.8, 0.5: only one reaches 0.85.
    assertEquals(3, check.turnRatios().length);
    assertEquals("0.50-0.90x", check.turnSpread());
    assertEquals("1 of 3", check.turnsMet());
    assertTrue(check.middleHalfReachesLimit());
  }

  @Test
  void checksWithoutTurnsSayNothingAboutTheSpread() {
    Check check = Check.atMost("p50", 130, 100, 1.15);
    assertEquals("-", check.turnSpread());
    assertEquals("-", check.turnsMet());
    assertFalse(check.middleHalfReachesLimit());
    Check latency = Check.atMost("p50", 130, 100, 1.15).withTurns(
        new Result("sync", "w", "64 B", 1, 1, 1, 0, 0, 0, 0, 0, 0, List.of(run(1, 110), run(1, 140), run(1, Double.NaN))),
        new Result("sync", "r", "64 B", 1, 1, 1, 0, 0, 0, 0, 0, 0, List.of(run(1, 100), run(1, 100), run(1, 100))),
        Harness.Run::p50);
    assertEquals("1.10-1.40x", latency.turnSpread(), "a turn without a p50 is left out");
    assertEquals("1 of 2", latency.turnsMet());
    assertTrue(latency.middleHalfReachesLimit(), "the better turn (1.10x) is within 1.15x");
    assertEquals("MISSED", latency.verdict());
  }

  private static Harness.Run run(double rate) {
    return new Harness.Run(rate, 1, 1, 1, Double.NaN, 0);
  }

  private static Harness.Run run(double rate, double p50) {
    return new Harness.Run(rate, 1, 1, 1, p50, 0);
  }
}
