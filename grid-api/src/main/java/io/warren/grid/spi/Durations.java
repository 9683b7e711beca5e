package io.warren.grid.spi;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Checks of a {@link Duration} setting, with an error that names the setting and the value, so a
 * builder refuses bad input where it is given instead of a worker failing to start later.
 *
 * <pre>{@code
 * this.stopGrace = Durations.notNegative(grace, "stopGrace");
 * }</pre>
 */
public final class Durations {
  /**
   * The longest duration any setting takes: what a {@code long} of nanoseconds holds (about 292
   * years), the unit timers and deadlines are kept in. A longer one ({@code Duration.ofDays(
   * Integer.MAX_VALUE)} meant as "for ever") used to fail later with an {@link ArithmeticException}
   * while a call was being registered; every wait here has an end, so there is no "for ever".
   */
  public static final Duration MAX = Duration.ofNanos(Long.MAX_VALUE);

  private Durations() {}

  /** {@code duration}, if it is above zero (and at most {@link #MAX}). */
  public static Duration positive(Duration duration, String name) {
    notAboveMax(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + duration);
    }
    return duration;
  }

  /** {@code duration}, if it is zero or more (and at most {@link #MAX}). */
  public static Duration notNegative(Duration duration, String name) {
    notAboveMax(duration, name);
    if (duration.isNegative()) {
      throw new IllegalArgumentException(name + " must be >= 0: " + duration);
    }
    return duration;
  }

  /** {@code duration}, if it is at least {@code minimum} (and at most {@link #MAX}). */
  public static Duration atLeast(Duration duration, Duration minimum, String name) {
    notAboveMax(duration, name);
    if (duration.compareTo(minimum) < 0) {
      throw new IllegalArgumentException(name + " must be >= " + minimum + ": " + duration);
    }
    return duration;
  }

  private static void notAboveMax(Duration duration, String name) {
    requireNonNull(duration, name + " == null");
    if (duration.compareTo(MAX) > 0) {
      throw new IllegalArgumentException(name + " must be at most " + MAX + " (a long of nanoseconds): " + duration);
    }
  }
}
