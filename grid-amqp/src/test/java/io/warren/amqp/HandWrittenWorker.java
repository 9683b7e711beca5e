package io.warren.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.warren.amqp.embedded.EmbeddedBroker;
import io.warren.grid.ServiceId;
import io.warren.grid.spi.Codec;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A worker written by hand on an embedded broker, for tests that need a worker to do what a real
 * one does only in a race: each piece is a plain amqp-client consumer or publish, as Warren's
 * protocol (docs/protocol.md) describes it.
 */
final class HandWrittenWorker {
  static final String ID = "hand-written-worker";
  static final Duration WAIT = Duration.ofSeconds(30);

  private HandWrittenWorker() {}

  /** A connection for the hand-written worker. */
  static Connection connect(EmbeddedBroker broker) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker.uri());
    factory.setUsername(broker.username());
    factory.setPassword(broker.password());
    return factory.newConnection(ID);
  }

  /** Publishes one heartbeat in {@code state}, promising the next within {@code interval}. */
  static void heartbeat(Channel channel, String state, Duration interval) throws IOException {
    channel.basicPublish(Protocol.EVENTS_EXCHANGE, Protocol.HEARTBEAT_KEY_PREFIX + ID, false, null,
        Codec.json().mapper().writeValueAsBytes(new Heartbeat(ID, "localhost", 1, 1, state, 0, 0, interval.toMillis(),
            System.currentTimeMillis(), List.of())));
  }

  /** Answers every acquire on the service's queue with a grant of instance 0, as a worker does. */
  static void grantEveryAcquire(Channel channel, ServiceId service) throws Exception {
    String queue = Protocol.serviceQueue(service);
    channel.queueDeclare(queue, false, false, true, null);
    channel.basicConsume(queue, true, (tag, delivery) -> Messages.reply(channel, delivery.getProperties(),
        Protocol.T_GRANT, Protocol.STATUS_OK, Map.of(
            Protocol.H_LEASE, Messages.header(delivery.getProperties(), Protocol.H_LEASE),
            Protocol.H_SERVICE, service.value(),
            Protocol.H_INSTANCE, 0,
            Protocol.H_WORKER, ID), new byte[0]), tag -> {});
  }

  /** What the hand-written instance does with each call or release on its queue. */
  interface InstanceHandler {
    void handle(com.rabbitmq.client.Delivery delivery) throws Exception;
  }

  /** Consumes instance 0's queue with {@code handler}. */
  static void serveInstance(Channel channel, ServiceId service, InstanceHandler handler) throws Exception {
    String queue = Protocol.instanceQueue(service, 0);
    channel.queueDeclare(queue, false, false, true, null);
    channel.basicConsume(queue, true, (tag, delivery) -> {
      try {
        handler.handle(delivery);
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException(e);
      }
    }, tag -> {});
  }

  /** Answers every call on instance 0's queue with {@code body}, and every release. */
  static void answerEveryCall(Channel channel, ServiceId service, byte[] body) throws Exception {
    serveInstance(channel, service, delivery -> Messages.replyOk(channel, delivery.getProperties(),
        Protocol.T_CALL.equals(delivery.getProperties().getType()) ? body : new byte[0]));
  }

  /** Waits until {@code backend} knows {@code count} workers. */
  static void awaitWorkers(AmqpGridBackend backend, int count) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (backend.workers().size() != count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never " + count + " workers: " + backend.workers());
      }
      Thread.sleep(20);
    }
  }
}
