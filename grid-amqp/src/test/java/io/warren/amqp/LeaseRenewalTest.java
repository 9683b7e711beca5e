package io.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.warren.amqp.embedded.EmbeddedBroker;
import io.warren.grid.ServiceId;
import io.warren.grid.WireFormat;
import io.warren.grid.spi.CallTarget;
import io.warren.grid.spi.Codec;
import io.warren.grid.spi.Invocation;
import io.warren.grid.spi.BrokerEndpoint;
import io.warren.grid.spi.LeaseGrant;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client's leases against an embedded broker and a hand-written worker that grants them. */
@Timeout(60)
class LeaseRenewalTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String WORKER = "hand-written-worker";

  @Test
  void aLeaseReleasedInTheFirstCallbackOnItsGrantIsNoLongerRenewed() throws Exception {
    ServiceId service = new ServiceId("renewal-test");
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        AmqpGridBackend backend = AmqpGridBackend.open(
            new BrokerEndpoint(broker.uri(), broker.username(), broker.password()));
        Connection worker = connect(broker)) {
      grantEveryAcquire(worker.createChannel(), service);

      // A callback chained at once, before the backend's own work on the grant could run after it.
      CompletableFuture<Void> released = backend.acquire(service, WAIT, Duration.ofMillis(300))
          .thenCompose(grant -> backend.release(grant, false));
      released.get(WAIT.toSeconds(), TimeUnit.SECONDS); // no instance queue: the release is returned, done

      assertEquals(0, backend.renewedLeases(), "a released lease is renewed no more");
      // And one that stays held is renewed until released.
      LeaseGrant held = backend.acquire(service, WAIT, Duration.ofMillis(300)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertEquals(1, backend.renewedLeases());
      backend.release(held, false).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertEquals(0, backend.renewedLeases());
    }
  }

  @Test
  void aLeaseGrantedByAWorkerGivenUpForLostIsRenewedAndItsCallsGoOut() throws Exception {
    // A worker silent through a broker outage is given up for lost; reconnected, it can grant a lease
    // before its first heartbeat reaches the client (seen once in CI, RabbitMqFaultIT's broker restart).
    ServiceId service = new ServiceId("lost-then-granting");
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        AmqpGridBackend backend = AmqpGridBackend.open(
            new BrokerEndpoint(broker.uri(), broker.username(), broker.password()));
        Connection worker = connect(broker)) {
      Channel channel = worker.createChannel();
      channel.basicPublish(Protocol.EVENTS_EXCHANGE, Protocol.HEARTBEAT_KEY_PREFIX + WORKER, false, null,
          Codec.json().mapper().writeValueAsBytes(new Heartbeat(WORKER, "localhost", 1, 1, Heartbeat.UP, 0, 0, 100,
              System.currentTimeMillis(), List.of())));
      awaitWorkers(backend, 1); // heard from once...
      awaitWorkers(backend, 0); // ...then silent for three intervals: given up for lost
      grantEveryAcquire(channel, service);
      answerEveryCall(channel, service, "answered".getBytes(StandardCharsets.UTF_8));

      LeaseGrant grant = backend.acquire(service, WAIT, Duration.ofMillis(300)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      Thread.sleep(500); // five renewal periods
      assertEquals(1, backend.renewedLeases(), "the lease is still renewed");
      byte[] answer = backend.invoke(new Invocation(new CallTarget.Leased(grant), "Anything.at()", new byte[0], WireFormat.JSON,
          WAIT)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertEquals("answered", new String(answer, StandardCharsets.UTF_8), "the leased call went out and was answered");
      backend.release(grant, false).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private static void awaitWorkers(AmqpGridBackend backend, int count) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (backend.workers().size() != count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never " + count + " workers: " + backend.workers());
      }
      Thread.sleep(20);
    }
  }

  /** Answers every call on instance 0's queue with {@code body}, and every release. */
  private static void answerEveryCall(Channel channel, ServiceId service, byte[] body) throws Exception {
    String queue = Protocol.instanceQueue(service, 0);
    channel.queueDeclare(queue, false, false, true, null);
    channel.basicConsume(queue, true, (tag, delivery) -> Messages.replyOk(channel, delivery.getProperties(),
        Protocol.T_CALL.equals(delivery.getProperties().getType()) ? body : new byte[0]), tag -> {});
  }

  /** Answers every acquire on the service's queue with a grant of instance 0, as a worker does. */
  private static void grantEveryAcquire(Channel channel, ServiceId service) throws Exception {
    String queue = Protocol.serviceQueue(service);
    channel.queueDeclare(queue, false, false, true, null);
    channel.basicConsume(queue, true, (tag, delivery) -> Messages.reply(channel, delivery.getProperties(),
        Protocol.T_GRANT, Protocol.STATUS_OK, Map.of(
            Protocol.H_LEASE, Messages.header(delivery.getProperties(), Protocol.H_LEASE),
            Protocol.H_SERVICE, service.value(),
            Protocol.H_INSTANCE, 0,
            Protocol.H_WORKER, WORKER), new byte[0]), tag -> {});
  }

  private static Connection connect(EmbeddedBroker broker) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker.uri());
    factory.setUsername(broker.username());
    factory.setPassword(broker.password());
    return factory.newConnection("hand-written-worker");
  }
}
