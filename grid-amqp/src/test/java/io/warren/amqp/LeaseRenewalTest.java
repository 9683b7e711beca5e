package io.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.warren.amqp.embedded.EmbeddedBroker;
import io.warren.grid.ServiceId;
import io.warren.grid.spi.BrokerEndpoint;
import io.warren.grid.spi.LeaseGrant;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client's lease renewals against an embedded broker and a hand-written worker that grants. */
@Timeout(60)
class LeaseRenewalTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

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

  /** Answers every acquire on the service's queue with a grant of instance 0, as a worker does. */
  private static void grantEveryAcquire(Channel channel, ServiceId service) throws Exception {
    String queue = Protocol.serviceQueue(service);
    channel.queueDeclare(queue, false, false, true, null);
    channel.basicConsume(queue, true, (tag, delivery) -> Messages.reply(channel, delivery.getProperties(),
        Protocol.T_GRANT, Protocol.STATUS_OK, Map.of(
            Protocol.H_LEASE, Messages.header(delivery.getProperties(), Protocol.H_LEASE),
            Protocol.H_SERVICE, service.value(),
            Protocol.H_INSTANCE, 0,
            Protocol.H_WORKER, "hand-written-worker"), new byte[0]), tag -> {});
  }

  private static Connection connect(EmbeddedBroker broker) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker.uri());
    factory.setUsername(broker.username());
    factory.setPassword(broker.password());
    return factory.newConnection("hand-written-worker");
  }
}
