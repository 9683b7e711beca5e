package io.warren.bench;

import java.lang.management.ManagementFactory;

/** Heap in use after a full collection, in this JVM. */
final class Heap {
  private Heap() {}

  static long usedAfterGc() {
    // Two collections: the first may only finish reference processing that frees more in the second.
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
