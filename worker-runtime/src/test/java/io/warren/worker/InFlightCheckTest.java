package io.warren.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.warren.amqp.Connections;
import io.warren.amqp.Messages;
import io.warren.amqp.Protocol;
import io.warren.amqp.embedded.EmbeddedBroker;
import io.warren.grid.Grid;
import io.warren.grid.Lease;
import io.warren.grid.PublishOptions;
import io.warren.grid.ServiceId;
import io.warren.grid.spi.Codec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An instance asked which calls it holds ({@link Protocol#T_IN_FLIGHT}) names the running one and
 * those queued behind it, and answers at once rather than after them.
 */
@Timeout(60)
class InFlightCheckTest {
  /** A service whose calls run until the test lets them go. */
  public interface Gate {
    String pass() throws InterruptedException;
  }

  /** Published to a worker in this JVM, so the test and the service share these latches. */
  public static final class GateService implements Gate {
    static final CountDownLatch ENTERED = new CountDownLatch(1);
    static final CountDownLatch OPEN = new CountDownLatch(1);

    @Override
    public String pass() throws InterruptedException {
      ENTERED.countDown();
      OPEN.await();
      return "passed";
    }
  }

  @Test
  void theRunningAndQueuedCallsAreNamedWhileTheyRunAndNoneOnceAnswered() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        Worker worker = EmbeddedWorker.start(broker, "in-flight-test");
        Grid grid = EmbeddedWorker.grid(broker, 1);
        Connection connection = Connections.open(broker.endpoint(), "in-flight-test-client")) {
      EmbeddedWorker.await(grid);
      ServiceId id = grid.publish(new GateService(), PublishOptions.defaults().instances(1));
      try (Lease<Gate> lease = grid.acquire(id, Gate.class, Duration.ofSeconds(20))) {
        List<CompletableFuture<String>> calls = List.of(pass(lease), pass(lease));
        GateService.ENTERED.await();
        Channel channel = connection.createChannel();
        String replies = channel.queueDeclare().getQueue();
        BlockingQueue<String[]> answers = new LinkedBlockingQueue<>();
        channel.basicConsume(replies, true, new DefaultConsumer(channel) {
          @Override
          public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
            answers.add(Codec.json().mapper().readValue(body, String[].class));
          }
        });
        String instanceQueue = Protocol.instanceQueue(id, lease.instance());
        // Published after the two calls, it reaches the instance behind the second one, which waits.
        channel.basicPublish("", instanceQueue, true, Messages.request(Protocol.T_IN_FLIGHT, "check-1", replies, Map.of()),
            new byte[0]);
        assertEquals(2, answers.poll(30, TimeUnit.SECONDS).length, "the running call and the one queued behind it");

        GateService.OPEN.countDown();
        for (CompletableFuture<String> call : calls) {
          assertEquals("passed", call.get(30, TimeUnit.SECONDS));
        }
        channel.basicPublish("", instanceQueue, true, Messages.request(Protocol.T_IN_FLIGHT, "check-2", replies, Map.of()),
            new byte[0]);
        assertEquals(0, answers.poll(30, TimeUnit.SECONDS).length, "both answered: none held");
      }
    }
  }

  private static CompletableFuture<String> pass(Lease<Gate> lease) {
    return Grid.async(lease.service(), gate -> {
      try {
        return gate.pass();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }
}
