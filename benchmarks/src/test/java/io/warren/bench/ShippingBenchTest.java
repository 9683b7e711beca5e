package io.warren.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.ssh.ShipReport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shipping section's verdicts come from the measured counts, never from the section itself. */
class ShippingBenchTest {

  private static ShippingBench.Run run(int filesCopied, long bytesCopied, long shipMillis) {
    return new ShippingBench.Run(new ShipReport("loopback", 35, filesCopied, bytesCopied, null,
        Duration.ofMillis(shipMillis)), Duration.ofMillis(shipMillis + 500));
  }

  @Test
  void runsThatCopyWhatIsRequiredAreMet() {
    List<String> lines = ShippingBench.lines(run(35, 3_846_480, 900),
        List.of(run(0, 0, 150), run(0, 0, 170), run(0, 0, 160)),
        List.of(run(1, 8, 500), run(1, 8, 560), run(1, 8, 640)), 8);
    String text = String.join("\n", lines);
    assertFalse(text.contains("FAILED"), text);
    assertTrue(text.contains("| re-ship unchanged code (median of 3) | 0 of 35 | 0 | 160.0 | 660 |"), text);
    assertTrue(text.contains("| 1 file changed (median of 3) | 1 of 35 | 8 | 560.0 | 1,060 |"), text);
    assertTrue(text.contains("- met: re-shipping unchanged code copies nothing"), text);
  }

  @Test
  void oneUnchangedRunThatCopiesBytesFailsAndShowsEveryRun() {
    String verdict = ShippingBench.verdict("unchanged", List.of(run(0, 0, 1), run(2, 12_345, 1), run(0, 0, 1)), 0, 0);
    assertTrue(verdict.startsWith("- **FAILED**: unchanged"), verdict);
    assertTrue(verdict.contains("files copied 0 / 2 / 0, bytes copied 0 / 12,345 / 0"), verdict);
  }

  @Test
  void aChangeThatCopiesAnotherFileOrAnotherSizeFails() {
    assertTrue(ShippingBench.verdict("change", List.of(run(2, 8, 1)), 1, 8).contains("FAILED"));
    assertTrue(ShippingBench.verdict("change", List.of(run(1, 9, 1)), 1, 8).contains("FAILED"));
    assertTrue(ShippingBench.verdict("change", List.of(), 1, 8).contains("FAILED"), "no run is no evidence");
  }
}
