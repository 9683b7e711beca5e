package io.warren.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The farm's builder and stop refuse durations a worker or a stop could not use, naming them. */
class SshFarmBuilderTest {
  @Test
  void aHeartbeatShorterThanWorkersTakeIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SshFarm.builder().heartbeatInterval(Duration.ofMillis(10)));
    assertEquals("heartbeatInterval must be >= PT0.05S: PT0.01S", e.getMessage());
  }

  @Test
  void aNegativeGraceIsRefusedBeforeAnyHostIsReached() {
    assertEquals("stopGrace must be >= 0: PT-1S", assertThrows(IllegalArgumentException.class,
        () -> SshFarm.builder().stopGrace(Duration.ofSeconds(-1))).getMessage());
    SshFarm farm = SshFarm.builder().inventory(HostInventory.of(List.of(
        HostSpec.builder("192.0.2.1").user("grid").build()))).build();
    assertEquals("grace must be >= 0: PT-5S",
        assertThrows(IllegalArgumentException.class, () -> farm.stopDetached(Duration.ofSeconds(-5))).getMessage());
  }
}
