package io.warren.amqp;

import static io.warren.amqp.HandWrittenWorker.WAIT;
import static io.warren.amqp.HandWrittenWorker.awaitWorkers;
import static io.warren.amqp.HandWrittenWorker.connect;
import static io.warren.amqp.HandWrittenWorker.grantEveryAcquire;
import static io.warren.amqp.HandWrittenWorker.heartbeat;
import static io.warren.amqp.HandWrittenWorker.serveInstance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.warren.amqp.embedded.EmbeddedBroker;
import io.warren.grid.LostInstanceException;
import io.warren.grid.ServiceId;
import io.warren.grid.WireFormat;
import io.warren.grid.spi.CallTarget;
import io.warren.grid.spi.Invocation;
import io.warren.grid.spi.LeaseGrant;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker that says it is DOWN has answered what it took, but its last replies travel through
 * another queue than its heartbeat and may reach the client after it. Seen once: a drained worker's
 * last call failed with "the last instance ... is gone" though its reply had been sent
 * ({@code TerminateTest}). Here a hand-written worker sends the heartbeat first on purpose.
 */
@Timeout(60)
class WorkerDownTest {
  /** Heartbeats the client does not expect again within the test: only DOWN ends this worker. */
  private static final Duration QUIET = Duration.ofMinutes(5);

  @Test
  void aReplyThatArrivesJustAfterItsWorkersDownHeartbeatStillCompletesTheCall() throws Exception {
    ServiceId service = new ServiceId("down-then-reply");
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        AmqpGridBackend backend = open(broker);
        Connection worker = connect(broker)) {
      Channel channel = upAndGranting(worker, backend, service);
      serveInstance(channel, service, delivery -> {
        heartbeat(channel, Heartbeat.DOWN, QUIET); // the drain's last word overtakes the reply...
        Thread.sleep(200);
        Messages.replyOk(channel, delivery.getProperties(), "answered".getBytes(StandardCharsets.UTF_8)); // ...sent before it
      });

      CompletableFuture<byte[]> call = leasedCall(backend, service);

      assertEquals("answered", new String(call.get(WAIT.toSeconds(), TimeUnit.SECONDS), StandardCharsets.UTF_8));
      assertEquals(0, backend.workers().size(), "the worker that said DOWN is gone all the same");
    }
  }

  @Test
  void aCallItsDownWorkerNeverAnsweredStillFailsAsLostLongBeforeItsTimeout() throws Exception {
    ServiceId service = new ServiceId("down-without-reply");
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        AmqpGridBackend backend = open(broker);
        Connection worker = connect(broker)) {
      Channel channel = upAndGranting(worker, backend, service);
      serveInstance(channel, service, delivery -> heartbeat(channel, Heartbeat.DOWN, QUIET)); // and no reply

      CompletableFuture<byte[]> call = leasedCall(backend, service); // its own timeout: 10 minutes

      ExecutionException failed = assertThrows(ExecutionException.class, () -> call.get(WAIT.toSeconds(), TimeUnit.SECONDS));
      assertInstanceOf(LostInstanceException.class, failed.getCause(), failed::toString);
    }
  }

  /** The hand-written worker, known to the client and granting leases on {@code service}; its channel. */
  private static Channel upAndGranting(Connection worker, AmqpGridBackend backend, ServiceId service) throws Exception {
    Channel channel = worker.createChannel();
    heartbeat(channel, Heartbeat.UP, QUIET);
    awaitWorkers(backend, 1);
    grantEveryAcquire(channel, service);
    return channel;
  }

  private static AmqpGridBackend open(EmbeddedBroker broker) {
    return AmqpGridBackend.open(broker.endpoint());
  }

  private static CompletableFuture<byte[]> leasedCall(AmqpGridBackend backend, ServiceId service) throws Exception {
    LeaseGrant grant = backend.acquire(service, WAIT, Duration.ofMinutes(1)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    return backend.invoke(new Invocation(new CallTarget.Leased(grant), "Anything.at()", new byte[0], WireFormat.JSON,
        Duration.ofMinutes(10)));
  }
}
