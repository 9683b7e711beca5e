package io.warren.grid;

import java.util.NoSuchElementException;

/**
 * The result of one call in a batch: a value or the failure, never both. Batches such as {@link
 * Grid#gather} report every call's outcome instead of failing at the first error.
 *
 * @param <T> the call's result type
 */
public sealed interface Outcome<T> {

  /** True for a {@link Success}. */
  boolean isSuccess();

  /** The value of a success; throws {@link NoSuchElementException} for a failure. */
  T value();

  /** The failure; throws {@link NoSuchElementException} for a success. */
  Throwable failure();

  /** A call that returned {@code value} (which may be null for void methods). */
  record Success<T>(T value) implements Outcome<T> {
    @Override
    public boolean isSuccess() {
      return true;
    }

    @Override
    public Throwable failure() {
      throw new NoSuchElementException("a success has no failure");
    }
  }

  /** A call that failed with {@code failure}. */
  record Failure<T>(Throwable failure) implements Outcome<T> {
    public Failure {
      java.util.Objects.requireNonNull(failure, "failure == null");
    }

    @Override
    public boolean isSuccess() {
      return false;
    }

    @Override
    public T value() {
      throw new NoSuchElementException("a failure has no value: " + failure);
    }
  }
}
