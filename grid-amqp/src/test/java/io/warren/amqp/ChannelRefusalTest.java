package io.warren.amqp;

import static io.warren.amqp.ChannelRefusal.Fate.DELIVERED;
import static io.warren.amqp.ChannelRefusal.Fate.DROPPED;
import static io.warren.amqp.ChannelRefusal.Fate.REFUSED;
import static io.warren.amqp.ChannelRefusal.Fate.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which requests a channel the broker closed had delivered, from the close's reason and the channel's log. */
class ChannelRefusalTest {
  /** RabbitMQ 3.10's close for a body over max_message_size, as read from a real node. */
  private static final String OVER_MAX = "PRECONDITION_FAILED - message size 2000000 is larger than configured max size 1048576";

  @Test
  void aBodyOverTheBrokersMaxIsRefusedWhatCameBeforeWasDeliveredAndWhatCameAfterDropped() {
    SentLog<String> log = new SentLog<>(8);
    log.record("a", 10);
    log.record(null, 0); // a renewal nobody waits on still holds its place
    log.record("big", 2_000_000);
    log.record("b", 10);
    log.record("big-too", 3_000_000);
    ChannelRefusal refusal = ChannelRefusal.of(closedByBroker(406, OVER_MAX));

    assertTrue(refusal.overMaxSize());
    assertEquals(1_048_576, refusal.brokerMaxBytes());
    assertEquals(List.of(DELIVERED, DELIVERED, REFUSED, DROPPED, DROPPED), refusal.fates(log.recent(), log.wrapped()));
  }

  @Test
  void aRefusedMessageOlderThanTheLogLeavesEveryLoggedOneDropped() {
    SentLog<String> log = new SentLog<>(2);
    log.record("big", 2_000_000);
    log.record("a", 10);
    log.record("b", 10);

    assertTrue(log.wrapped());
    assertEquals(List.of("a", "b"), log.recent().stream().map(SentLog.Entry::key).toList());
    assertEquals(List.of(DROPPED, DROPPED), ChannelRefusal.of(closedByBroker(406, OVER_MAX)).fates(log.recent(), true));
  }

  @Test
  void aSizeRefusalWithNoLoggedBodyOverTheLimitDecidesNothing() {
    SentLog<String> log = new SentLog<>(4);
    log.record("a", 10);

    assertFalse(log.wrapped());
    assertEquals(List.of(UNKNOWN), ChannelRefusal.of(closedByBroker(406, OVER_MAX)).fates(log.recent(), false));
  }

  @Test
  void anyOtherReasonLeavesEveryRequestUnknown() {
    SentLog<String> log = new SentLog<>(4);
    log.record("a", 10);
    log.record("b", 2_000_000);
    ChannelRefusal refusal = ChannelRefusal.of(closedByBroker(403,
        "ACCESS_REFUSED - write access to exchange 'amq.default' in vhost '/' refused for user 'u'"));

    assertFalse(refusal.overMaxSize());
    assertEquals(List.of(UNKNOWN, UNKNOWN), refusal.fates(log.recent(), false));
  }

  @Test
  void closesThatAreNotTheBrokerRefusingAChannelAreNotRefusals() {
    AMQP.Channel.Close close = new AMQP.Channel.Close.Builder().replyCode(200).replyText("OK").build();
    assertNull(ChannelRefusal.of(new ShutdownSignalException(false, true, close, null)), "the client closed it");
    AMQP.Connection.Close gone = new AMQP.Connection.Close.Builder().replyCode(320).replyText("CONNECTION_FORCED").build();
    assertNull(ChannelRefusal.of(new ShutdownSignalException(true, false, gone, null)), "the connection went");
  }

  private static ShutdownSignalException closedByBroker(int code, String text) {
    AMQP.Channel.Close close = new AMQP.Channel.Close.Builder().replyCode(code).replyText(text).build();
    return new ShutdownSignalException(false, false, close, null);
  }
}
