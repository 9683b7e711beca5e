package io.warren.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.warren.amqp.Connections;
import io.warren.amqp.Protocol;
import io.warren.amqp.embedded.EmbeddedBroker;
import io.warren.grid.Grid;
import io.warren.grid.PublishOptions;
import io.warren.grid.ServiceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A worker in this JVM on the embedded broker, counting the acknowledgements of answered calls. */
@Timeout(60)
class AnsweredCallsTest {

  @Test
  void atPrefetchOneEveryAnsweredCallIsAcknowledgedByItself() throws Exception {
    // The broker sends the next call only once the last one is acknowledged: no batching here.
    assertEquals(50, acknowledgementsFor(50, 1, 50));
  }

  @Test
  void atPrefetchEightAnsweredCallsAreAcknowledgedFourAtATime() throws Exception {
    long acks = acknowledgementsFor(40, 8, 10);
    // 10 full batches, plus one for each sweep (every 250 ms) that found a partial batch.
    assertTrue(acks >= 10 && acks <= 20, "acknowledgements for 40 calls: " + acks);
  }

  @Test
  void aDrainingWorkerAcknowledgesItsAnsweredCallsBeforeClosingTheChannel() throws Exception {
    // Of 6 calls at prefetch 8, 2 are left out of the batches of 4. Closing the channel without
    // acknowledging them would put them back on the queue, to run again.
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        Grid grid = EmbeddedWorker.grid(broker, 8)) {
      ServiceId id;
      try (Worker worker = EmbeddedWorker.start(broker, "answered-calls-test")) {
        EmbeddedWorker.await(grid);
        id = grid.publish(new CounterService(), PublishOptions.defaults().instances(1));
        Counter counter = grid.proxy(id, Counter.class);
        for (int i = 1; i <= 6; i++) {
          assertEquals(i, counter.next());
        }
      } // drains at once: well within the sweep's 250 ms, as a rule
      assertEquals(0, messagesOn(broker, Protocol.serviceQueue(id)), "answered calls went back to the queue");
    }
  }

  /**
   * Makes {@code calls} calls one after another at {@code prefetch}, and counts the acknowledgements
   * the worker sent for them once it has sent {@code atLeast} and two sweeps have passed: a worker
   * acknowledges a call after publishing its reply, so the caller can be ahead of it.
   */
  private static long acknowledgementsFor(int calls, int prefetch, int atLeast) throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        Worker worker = EmbeddedWorker.start(broker, "answered-calls-test");
        Grid grid = EmbeddedWorker.grid(broker, prefetch)) {
      Counter counter = publish(grid);
      for (int i = 1; i <= calls; i++) {
        assertEquals(i, counter.next());
      }
      while (worker.acknowledgementsSent() < atLeast) { // bounded by the test's timeout
        Thread.sleep(10);
      }
      Thread.sleep(600);
      return worker.acknowledgementsSent();
    }
  }

  private static Counter publish(Grid grid) throws InterruptedException {
    EmbeddedWorker.await(grid);
    ServiceId id = grid.publish(new CounterService(), PublishOptions.defaults().instances(1));
    return grid.proxy(id, Counter.class);
  }

  private static int messagesOn(EmbeddedBroker broker, String queue) throws Exception {
    try (Connection connection = Connections.open(broker.endpoint(), "answered-calls-test");
        Channel channel = connection.createChannel()) {
      return channel.queueDeclarePassive(queue).getMessageCount();
    }
  }
}
