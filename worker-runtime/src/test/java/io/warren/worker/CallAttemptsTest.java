package io.warren.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import io.warren.amqp.Protocol;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallAttemptsTest {
  private static final AMQP.BasicProperties FRESH = new AMQP.BasicProperties.Builder().correlationId("c1").build();

  @Test
  void aCopyOfARedeliveredCallCarriesTheMarkAsItsAttemptCount() {
    // A worker that hands a redelivered call back publishes a copy, which the broker does not mark:
    // without the count in the header the next instance would run a @NonIdempotent call again.
    AMQP.BasicProperties copy = CallAttempts.forCopy(true, FRESH);
    assertEquals(2L, copy.getHeaders().get(Protocol.H_ATTEMPT));
    assertEquals("c1", copy.getCorrelationId());
    assertTrue(CallAttempts.isRetry(false, copy));
  }

  @Test
  void aCopyOfARedeliveredRetryCountsOneMore() {
    AMQP.BasicProperties third = FRESH.builder().headers(Map.of(Protocol.H_ATTEMPT, 3L, "other", "kept")).build();
    AMQP.BasicProperties copy = CallAttempts.forCopy(true, third);
    assertEquals(4L, copy.getHeaders().get(Protocol.H_ATTEMPT));
    assertEquals("kept", copy.getHeaders().get("other").toString());
  }

  @Test
  void aCopyOfAFirstDeliveryIsUnchanged() {
    assertSame(FRESH, CallAttempts.forCopy(false, FRESH));
    assertFalse(CallAttempts.isRetry(false, FRESH));
    assertEquals(1, CallAttempts.of(false, FRESH));
    assertTrue(CallAttempts.isRetry(true, FRESH));
  }
}
