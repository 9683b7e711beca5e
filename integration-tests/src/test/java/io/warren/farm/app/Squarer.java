package io.warren.farm.app;

/** A stateless service for load tests on the farm: squares, and says which worker did it. */
public interface Squarer {

  /** {@code x * x} after {@code millis} of work, with the id of the worker host that ran it. */
  Result square(long x, int millis);

  /** @param value x * x @param host where it ran */
  record Result(long value, String host) {}
}
