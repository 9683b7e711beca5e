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
  private Durations() {}

  /** {@code duration}, if it is above zero. */
  public static Duration positive(Duration duration, String name) {
    requireNonNull(duration, name + " == null");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + duration);
    }
    return duration;
  }

  /** {@code duration}, if it is zero or more. */
  public static Duration notNegative(Duration duration, String name) {
    requireNonNull(duration, name + " == null");
    if (duration.isNegative()) {
      throw new IllegalArgumentException(name + " must be >= 0: " + duration);
    }
    return duration;
  }

  /** {@code duration}, if it is at least {@code minimum}. */
  public static Duration atLeast(Duration duration, Duration minimum, String name) {
    requireNonNull(duration, name + " == null");
    if (duration.compareTo(minimum) < 0) {
      throw new IllegalArgumentException(name + " must be >= " + minimum + ": " + duration);
    }
    return duration;
  }
}
