package io.warren.bench;

/** The service every contender serves: echo the payload back. */
public interface Echo {
  /** Returns {@code payload} unchanged. */
  byte[] echo(byte[] payload);

  /** Runs {@code System.gc()} in the worker JVM and returns {@code {pid, heap bytes used}}. */
  long[] heapAfterGc();
}
