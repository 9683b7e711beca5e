package io.warren.grid.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void positiveTakesAboveZeroAndNamesTheSettingOtherwise() {
    Duration second = Duration.ofSeconds(1);
    assertSame(second, Durations.positive(second, "callTimeout"));
    assertEquals("callTimeout must be positive: PT0S",
        assertThrows(IllegalArgumentException.class, () -> Durations.positive(Duration.ZERO, "callTimeout")).getMessage());
    assertEquals("callTimeout must be positive: PT-1S",
        assertThrows(IllegalArgumentException.class, () -> Durations.positive(second.negated(), "callTimeout")).getMessage());
    assertEquals("callTimeout == null",
        assertThrows(NullPointerException.class, () -> Durations.positive(null, "callTimeout")).getMessage());
  }

  @Test
  void notNegativeTakesZero() {
    assertSame(Duration.ZERO, Durations.notNegative(Duration.ZERO, "stopGrace"));
    assertEquals("stopGrace must be >= 0: PT-0.001S", assertThrows(IllegalArgumentException.class,
        () -> Durations.notNegative(Duration.ofMillis(-1), "stopGrace")).getMessage());
  }

  @Test
  void atLeastTakesTheMinimumItself() {
    Duration minimum = Duration.ofMillis(50);
    assertSame(minimum, Durations.atLeast(minimum, minimum, "heartbeatInterval"));
    assertEquals("heartbeatInterval must be >= PT0.05S: PT0.049S", assertThrows(IllegalArgumentException.class,
        () -> Durations.atLeast(Duration.ofMillis(49), minimum, "heartbeatInterval")).getMessage());
  }

  @Test
  void everyCheckRefusesADurationLongerThanALongOfNanos() {
    assertSame(Durations.MAX, Durations.positive(Durations.MAX, "callTimeout"));
    Duration forever = Duration.ofDays(Integer.MAX_VALUE); // "no timeout", as some callers write it
    String refused = "callTimeout must be at most PT2562047H47M16.854775807S (a long of nanoseconds): PT51539607528H";
    assertEquals(refused, assertThrows(IllegalArgumentException.class,
        () -> Durations.positive(forever, "callTimeout")).getMessage());
    assertEquals(refused, assertThrows(IllegalArgumentException.class,
        () -> Durations.notNegative(forever, "callTimeout")).getMessage());
    assertEquals(refused, assertThrows(IllegalArgumentException.class,
        () -> Durations.atLeast(forever, Duration.ZERO, "callTimeout")).getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Durations.positive(Durations.MAX.plusNanos(1), "callTimeout"));
  }
}
