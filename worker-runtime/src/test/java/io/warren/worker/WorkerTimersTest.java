package io.warren.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.warren.amqp.embedded.EmbeddedBroker;
import io.warren.grid.Grid;
import io.warren.grid.PublishOptions;
import io.warren.grid.ServiceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A worker in this JVM on the embedded broker, to look at its timer queue. */
@Timeout(60)
class WorkerTimersTest {

  @Test
  void finishedSharedCallsLeaveNoLongCallTimerQueued() throws Exception {
    // Issue 5: every shared call schedules an early-ack timer (5 min by default); one left queued
    // per finished call holds its delivery and grows the worker's heap with every call.
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        Worker worker = EmbeddedWorker.start(broker, "timers-test");
        Grid grid = EmbeddedWorker.grid(broker, 1)) {
      EmbeddedWorker.await(grid);
      int idle = worker.queuedTimers(); // the lease-expiry check
      ServiceId id = grid.publish(new CounterService(), PublishOptions.defaults().instances(1));
      Counter counter = grid.proxy(id, Counter.class);
      for (int i = 1; i <= 200; i++) {
        assertEquals(i, counter.next());
      }
      assertEquals(idle, worker.queuedTimers(), "long-call timers of finished calls still queued");
    }
  }
}
