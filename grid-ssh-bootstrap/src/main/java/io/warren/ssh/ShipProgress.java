package io.warren.ssh;

/**
 * Hears how copying to each host advances, for a progress display. Called from the shipping
 * threads, for several hosts at once: implementations must be thread-safe and quick.
 */
@FunctionalInterface
public interface ShipProgress {
  /** Ignores progress. */
  ShipProgress NONE = (host, bytesDone, bytesTotal) -> {};

  /** {@code bytesDone} of the {@code bytesTotal} bytes this host needs have been copied. */
  void progress(String host, long bytesDone, long bytesTotal);
}
