package io.warren.amqp;

import static io.warren.amqp.HandWrittenWorker.WAIT;
import static io.warren.amqp.HandWrittenWorker.answerEveryCall;
import static io.warren.amqp.HandWrittenWorker.awaitWorkers;
import static io.warren.amqp.HandWrittenWorker.connect;
import static io.warren.amqp.HandWrittenWorker.grantEveryAcquire;
import static io.warren.amqp.HandWrittenWorker.heartbeat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.warren.amqp.embedded.EmbeddedBroker;
import io.warren.grid.ServiceId;
import io.warren.grid.WireFormat;
import io.warren.grid.spi.CallTarget;
import io.warren.grid.spi.Invocation;
import io.warren.grid.spi.LeaseGrant;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client's leases against an embedded broker and a hand-written worker that grants them. */
@Timeout(60)
class LeaseRenewalTest {

  @Test
  void aLeaseReleasedInTheFirstCallbackOnItsGrantIsNoLongerRenewed() throws Exception {
    ServiceId service = new ServiceId("renewal-test");
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        AmqpGridBackend backend = AmqpGridBackend.open(broker.endpoint());
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
        AmqpGridBackend backend = AmqpGridBackend.open(broker.endpoint());
        Connection worker = connect(broker)) {
      Channel channel = worker.createChannel();
      heartbeat(channel, Heartbeat.UP, Duration.ofMillis(100));
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
}
