package io.warren.it;

import io.warren.grid.Grid;
import io.warren.grid.WorkerInfo;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Waits in tests for something the workers' heartbeats report, failing loudly when it never comes. */
final class Heartbeats {
  private Heartbeats() {}

  /**
   * Polls {@link Grid#workers()} until {@code seen} finds what it looks for, and returns it.
   *
   * @throws AssertionError after {@code timeout}, naming {@code what} and the last heartbeats
   */
  static <T> T await(Grid grid, Duration timeout, String what, Function<List<WorkerInfo>, Optional<T>> seen)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<WorkerInfo> workers = grid.workers();
      Optional<T> found = seen.apply(workers);
      if (found.isPresent()) {
        return found.get();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the workers never reported " + what + ": " + workers);
      }
      Thread.sleep(20);
    }
  }

  /** The first worker whose heartbeat says it is running a call. */
  static WorkerInfo awaitBusyWorker(Grid grid, Duration timeout) throws InterruptedException {
    return await(grid, timeout, "a running call", workers -> workers.stream().filter(w -> w.busy() > 0).findFirst());
  }
}
