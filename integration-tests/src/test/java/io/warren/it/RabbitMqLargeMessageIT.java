package io.warren.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.Grid;
import io.warren.grid.PublishOptions;
import io.warren.grid.ServiceId;
import io.warren.testing.RabbitMqBroker;
import io.warren.worker.LocalWorkers;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Messages larger than amqp-client's own 64 MiB default on a real RabbitMQ node, which accepts up
 * to 128 MiB (3.x): each costs the worker a few hundred MiB of heap and the broker as much, so they
 * live here rather than in the conformance suite that runs on every broker.
 */
class RabbitMqLargeMessageIT {
  /** Over amqp-client's default inbound limit (64 MiB), under RabbitMQ 3.x's max_message_size (128 MiB). */
  private static final int OVER_THE_CLIENT_LIBRARYS_DEFAULT = 65 * 1024 * 1024;

  @Test
  void aCallOverTheClientLibrarysDefaultLimitGetsATypedRefusalAndTheWorkerKeepsServing() throws Exception {
    RabbitMqBroker rabbit = RabbitMqBroker.shared();
    BrokerUnderTest broker = new BrokerUnderTest(rabbit.uri(), rabbit.username(), rabbit.password(), () -> {});
    try (Grid grid = Grid.builder()
            .broker(broker.uri())
            .credentials(broker.username(), broker.password())
            .workers(LocalWorkers.builder().count(1).slots(1).heartbeatInterval(Duration.ofMillis(500))
                .logDirectory(Path.of("target", "worker-logs", "RabbitMqLargeMessageIT")).build())
            .callTimeout(Duration.ofSeconds(60))
            .build();
        RawAmqpClient raw = new RawAmqpClient(broker)) {
      ServiceId id = grid.publish(new TallyService(7), PublishOptions.defaults().instances(1));
      String queue = "warren.service." + id.value();
      // The worker's limit is its default, 16 MiB: its own check refuses the call, if it ever reads it.
      RawAmqpClient.Received reply = raw.call(queue, null, new byte[OVER_THE_CLIENT_LIBRARYS_DEFAULT]);
      assertEquals("error", reply.header("warren-status"), reply.body());
      assertTrue(reply.body().contains("\"code\":\"BAD_REQUEST\"")
          && reply.body().contains(OVER_THE_CLIENT_LIBRARYS_DEFAULT + " bytes exceed the worker's limit"), reply.body());
      assertEquals(7, grid.proxy(id, Tally.class).get(), "the worker still serves");
      assertEquals(0, raw.messageCount(queue), "the refused call is not requeued");
      grid.terminate(id);
    }
  }
}
