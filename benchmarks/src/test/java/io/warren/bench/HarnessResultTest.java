package io.warren.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HarnessResultTest {
  /** Three turns: a slow one with few calls, two fast ones with many. */
  private static final Harness.Run[] TURNS = {
      new Harness.Run(100, 30, 20, 300), new Harness.Run(1_000, 10, 5, 100), new Harness.Run(900, 12, 6, 110)};

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
  }
}
