package io.warren.worker;

import io.warren.amqp.embedded.EmbeddedBroker;
import io.warren.grid.Grid;
import java.time.Duration;

/**
 * A worker in the test's own JVM on the embedded broker, for tests that look at its insides
 * (timer queue, acknowledgements sent).
 *
 * <pre>
 * try (EmbeddedBroker broker = EmbeddedBroker.start();
 *     Worker worker = EmbeddedWorker.start(broker, "timers-test");
 *     Grid grid = EmbeddedWorker.grid(broker, 1)) {
 *   EmbeddedWorker.await(grid);
 * </pre>
 */
final class EmbeddedWorker {
  private EmbeddedWorker() {}

  /** A one-slot worker with 100 ms heartbeats and the default limits. */
  static Worker start(EmbeddedBroker broker, String workerId) throws java.io.IOException {
    WorkerOptions options = new WorkerOptions(broker.uri(), workerId, 1, Duration.ofMillis(100), Duration.ofSeconds(5),
        null, false, 1 << 20, Duration.ofMinutes(5), 3, Duration.ofSeconds(5));
    return Worker.start(options, broker.endpoint());
  }

  /** A client of the embedded broker publishing at {@code prefetch}. */
  static Grid grid(EmbeddedBroker broker, int prefetch) {
    return Grid.builder().broker(broker.uri()).credentials(broker.username(), broker.password()).prefetch(prefetch).build();
  }

  /** Waits until {@code grid} has seen the worker's heartbeat. */
  static void await(Grid grid) throws InterruptedException {
    while (grid.workers().isEmpty()) { // bounded by the calling test's timeout
      Thread.sleep(20);
    }
  }
}
