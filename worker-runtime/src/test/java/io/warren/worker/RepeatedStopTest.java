package io.warren.worker;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.warren.amqp.Connections;
import io.warren.amqp.Messages;
import io.warren.amqp.Protocol;
import io.warren.amqp.embedded.EmbeddedBroker;
import io.warren.grid.ServiceId;
import io.warren.grid.spi.CallEnvelope;
import io.warren.grid.spi.Codec;
import io.warren.grid.spi.ServiceContract;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An instance asked to stop again while it waits for its running call (a terminate during a drain). */
@Timeout(60)
class RepeatedStopTest {
  /** Service code that runs until the test lets it go. */
  interface Gate {
    String pass() throws InterruptedException;
  }

  static final class HeldGate implements Gate {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public String pass() throws InterruptedException {
      entered.countDown();
      release.await();
      return "passed";
    }
  }

  @Test
  void everyStopCompletesWhenTheRunningCallEndsAndAnyOfThemMayDeleteTheQueue() throws Exception {
    ServiceId service = new ServiceId("repeated-stop");
    HeldGate gate = new HeldGate();
    DeliveryLog deliveries = new DeliveryLog();
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        Connection connection = Connections.open(broker.endpoint(), "repeated-stop-test", null, deliveries)) {
      InstanceContext context = new InstanceContext(() -> connection, "repeated-stop-test", new CancelledCalls(), () -> {},
          1 << 20, Duration.ofMinutes(5), 3, deliveries);
      InstanceRunner runner = new InstanceRunner(context, service, null, 0, 1, false, new ServiceObject(gate));
      Channel client = connection.createChannel();
      String replyQueue = client.queueDeclare().getQueue();
      CallEnvelope envelope = new CallEnvelope(Gate.class.getName(), "pass()", System.currentTimeMillis() + 60_000, null, 0);
      byte[] call = Codec.json().encodeCall(envelope, ServiceContract.of(Gate.class).method("pass()").orElseThrow(), new Object[0]);
      AMQP.BasicProperties props = Messages.request(Protocol.T_CALL, UUID.randomUUID().toString(), replyQueue, null);
      client.basicPublish("", Protocol.serviceQueue(service), false, props, call);
      gate.entered.await();

      // Both are queued ahead of the call's completion, which is queued only once the gate opens.
      CompletableFuture<Void> drain = runner.stop(false);
      CompletableFuture<Void> terminate = runner.stop(true);
      gate.release.countDown();
      // Bounded only so that a stop that never completes (as one did before) fails the test instead of hanging it.
      drain.get(30, TimeUnit.SECONDS);
      terminate.get(30, TimeUnit.SECONDS);

      Channel probe = connection.createChannel(); // closed by the broker's 404
      assertThrows(IOException.class, () -> probe.queueDeclarePassive(Protocol.instanceQueue(service, 0)),
          "the terminate's stop deleted the instance queue");
    }
  }
}
