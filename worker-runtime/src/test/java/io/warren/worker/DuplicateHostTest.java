package io.warren.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.warren.amqp.Connections;
import io.warren.amqp.HostCommand;
import io.warren.amqp.Messages;
import io.warren.amqp.Protocol;
import io.warren.amqp.embedded.EmbeddedBroker;
import io.warren.grid.Grid;
import io.warren.grid.PublishOptions;
import io.warren.grid.ServiceId;
import io.warren.grid.spi.Codec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A host command for an instance the worker already runs, which must not replace (and orphan) it. */
@Timeout(60)
class DuplicateHostTest {
  private static final String WORKER = "duplicate-host-test";

  /** A reply as the test thread sees it. */
  private record Reply(String status, String body) {}

  @Test
  void hostingAnInstanceTheWorkerAlreadyRunsIsRefusedNamingServiceAndNumber() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        Worker worker = EmbeddedWorker.start(broker, WORKER);
        Grid grid = EmbeddedWorker.grid(broker, 1);
        Connection connection = Connections.open(broker.endpoint(), "duplicate-host-test")) {
      EmbeddedWorker.await(grid);
      ServiceId id = grid.publish(new CounterService(), PublishOptions.defaults().instances(1)); // #0, here
      Counter counter = grid.proxy(id, Counter.class);
      assertEquals(1, counter.next());

      Channel channel = connection.createChannel();
      BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
      String replyQueue = channel.queueDeclare().getQueue();
      channel.basicConsume(replyQueue, true, new DefaultConsumer(channel) {
        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
          replies.add(new Reply(Messages.header(props, Protocol.H_STATUS), new String(body, StandardCharsets.UTF_8)));
        }
      });
      String state = new String(Codec.json().encodeState(new CounterService()), StandardCharsets.UTF_8);
      for (List<Integer> numbers : List.of(List.of(0), List.of(1, 1))) {
        HostCommand again = new HostCommand(id.value(), null, CounterService.class.getName(), state, numbers, 1, false);
        AMQP.BasicProperties props = Messages.request(Protocol.T_HOST, UUID.randomUUID().toString(), replyQueue, null);
        channel.basicPublish("", Protocol.workerQueue(WORKER), false, props, Codec.json().mapper().writeValueAsBytes(again));
      }

      Reply hostedAlready = replies.take(); // the control thread answers in order
      assertEquals(Protocol.STATUS_ERROR, hostedAlready.status(), hostedAlready.body());
      assertTrue(hostedAlready.body().contains("\"code\":\"PUBLISH_FAILED\"")
          && hostedAlready.body().contains("worker " + WORKER + " already hosts " + id + "#0"), hostedAlready.body());
      Reply namedTwice = replies.take();
      assertEquals(Protocol.STATUS_ERROR, namedTwice.status(), namedTwice.body());
      assertTrue(namedTwice.body().contains("names instance " + id + "#1 twice"), namedTwice.body());
      assertEquals(2, counter.next(), "the first runner still serves, its count intact");
    }
  }
}
