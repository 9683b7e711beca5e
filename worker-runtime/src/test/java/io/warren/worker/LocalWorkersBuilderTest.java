package io.warren.worker;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.warren.grid.spi.Provisioner;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder refuses settings a worker would refuse at start, naming them, before any process starts. */
class LocalWorkersBuilderTest {
  @Test
  void aHeartbeatShorterThanWorkersTakeIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LocalWorkers.builder().heartbeatInterval(Duration.ofMillis(10)));
    assertEquals("heartbeatInterval must be >= PT0.05S: PT0.01S", e.getMessage());
    assertDoesNotThrow(() -> LocalWorkers.builder().heartbeatInterval(Provisioner.MIN_HEARTBEAT_INTERVAL));
  }

  @Test
  void aNegativeStopGraceIsRefusedAndZeroMeansStopAtOnce() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LocalWorkers.builder().stopGrace(Duration.ofSeconds(-1)));
    assertEquals("stopGrace must be >= 0: PT-1S", e.getMessage());
    assertDoesNotThrow(() -> LocalWorkers.builder().stopGrace(Duration.ZERO));
  }
}
