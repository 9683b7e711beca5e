package io.warren.it;

/** An interface no published service implements. */
public interface Unrelated {
  int nothing();
}
