package io.warren.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.warren.amqp.embedded.EmbeddedBroker;
import io.warren.grid.Grid;
import io.warren.grid.PublishOptions;
import io.warren.grid.ServiceId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Terminating a service whose instance is running a long call. */
@Timeout(60)
class TerminateTest {
  /** A service whose one call runs until the test lets it go. */
  public interface Hold {
    String hold() throws InterruptedException;
  }

  /** Published to a worker in this JVM, so the test and the service share these latches. */
  public static final class HoldService implements Hold {
    static final CountDownLatch ENTERED = new CountDownLatch(1);
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    @Override
    public String hold() throws InterruptedException {
      ENTERED.countDown();
      RELEASE.await();
      return "released";
    }
  }

  @Test
  void aTerminateWaitingForARunningCallHoldsUpNeitherOtherCommandsNorTheDrainAfter() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        Worker worker = EmbeddedWorker.start(broker, "terminate-test");
        Grid grid = EmbeddedWorker.grid(broker, 1)) {
      EmbeddedWorker.await(grid);
      ServiceId held = grid.publish(new HoldService(), PublishOptions.defaults().instances(1));
      CompletableFuture<String> call = Grid.async(grid.proxy(held, Hold.class), hold -> {
        try {
          return hold.hold();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      HoldService.ENTERED.await();
      CompletableFuture<Void> terminate = CompletableFuture.runAsync(() -> grid.terminate(held));
      while (hosts(grid, held)) { // the worker took the terminate: its heartbeat no longer lists the instance
        Thread.sleep(20);
      }

      // Before, the control thread waited for the held call, and this publish for it (30 s, then failed).
      ServiceId other = grid.publish(new CounterService(), PublishOptions.defaults().instances(1));
      assertEquals(1, grid.proxy(other, Counter.class).next());
      assertFalse(terminate.isDone(), "the terminate is answered once its instance has stopped");

      // A drain now waits for the terminated instance's call too, instead of closing the connection under it.
      CompletableFuture<Void> drained = CompletableFuture.runAsync(worker::close);
      while (!"DRAINING".equals(grid.workers().get(0).state())) {
        Thread.sleep(20);
      }
      HoldService.RELEASE.countDown();
      assertEquals("released", call.get(30, TimeUnit.SECONDS));
      drained.get(30, TimeUnit.SECONDS);
      assertEquals(0, worker.awaitTermination(), "a clean drain");
    }
  }

  private static boolean hosts(Grid grid, ServiceId service) {
    return grid.workers().get(0).instances().stream().anyMatch(i -> i.service().equals(service));
  }
}
