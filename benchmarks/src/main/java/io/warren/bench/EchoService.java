package io.warren.bench;

/** The published Warren service object: stateless, so every instance is the same. */
public final class EchoService implements Echo {
  @Override
  public byte[] echo(byte[] payload) {
    return payload;
  }

  @Override
  public long[] heapAfterGc() {
    return new long[] {ProcessHandle.current().pid(), Heap.usedAfterGc()};
  }
}
