package io.warren.worker;

/** A tiny service interface for worker tests. */
public interface Counter {
  /** The next number of this instance's count. */
  int next();
}
