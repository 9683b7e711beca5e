package io.warren.worker;

/** The published implementation of {@link Counter}; each instance counts on its own copy. */
public final class CounterService implements Counter {
  private int count;

  @Override
  public int next() {
    return ++count;
  }
}
