package io.warren.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.embedded.EmbeddedBroker;
import io.warren.grid.BadRequestException;
import io.warren.grid.Grid;
import io.warren.grid.PublishOptions;
import io.warren.grid.ServiceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Results larger than the worker's message limit, which a broker may drop on the way back. */
@Timeout(60)
class ResultLimitTest {
  private static final int WORKER_LIMIT = 1 << 20; // EmbeddedWorker's

  @Test
  void aResultOverTheWorkersLimitFailsTheCallWithATypedErrorNamingBothSizes() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        Worker worker = EmbeddedWorker.start(broker, "result-limit-test");
        Grid grid = EmbeddedWorker.grid(broker, 1)) {
      EmbeddedWorker.await(grid);
      ServiceId id = grid.publish(new PayloadService(), PublishOptions.defaults().instances(1));
      Payload payload = grid.proxy(id, Payload.class);
      // As JSON a byte[] is base64, a third larger: this result encodes to about 1.4 MB.
      BadRequestException e = assertThrows(BadRequestException.class, () -> payload.zeros(WORKER_LIMIT));
      assertTrue(e.getMessage().contains("Payload.zeros: the result takes ")
          && e.getMessage().contains(" bytes encoded, more than the worker's limit of " + WORKER_LIMIT), e.getMessage());
      assertEquals(1000, payload.zeros(1000).length, "a result within the limit still arrives");
    }
  }
}
