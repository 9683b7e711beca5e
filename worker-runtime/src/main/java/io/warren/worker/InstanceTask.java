package io.warren.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Envelope;
import io.warren.amqp.ChannelRefusal;
import io.warren.amqp.SentLog;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What an {@link InstanceRunner}'s {@link TaskLoop} handles, one at a time: deliveries, call
 * completions, and the requests of the worker's timers, of its control queue and of channel
 * listeners. Each is a value: whichever thread posts it hands over nothing else.
 */
sealed interface InstanceTask {

  /** Which of the instance's two queues a delivery came from. */
  enum Source { SHARED, INSTANCE }

  /**
   * A delivery, with the channel it came on (its tag means nothing on any other channel) and when it
   * reached the worker ({@link DeliveryLog}): the broker's consumer timeout counts from then, not
   * from when the call starts.
   */
  record Inbound(Source source, Channel channel, long tag, boolean redelivered, AMQP.BasicProperties props,
      byte[] body, long deliveredNanos) implements InstanceTask {
    static Inbound of(Source source, Channel channel, Envelope envelope, AMQP.BasicProperties props, byte[] body,
        long deliveredNanos) {
      return new Inbound(source, channel, envelope.getDeliveryTag(), envelope.isRedeliver(), props, body,
          deliveredNanos);
    }
  }

  /** A call's service code returned, threw, or was cancelled ({@code result} null). */
  record Finished(RunningCall call, ServiceObject.Result result) implements InstanceTask {}

  /** The caller gave up on {@code callId}. */
  record Cancel(String callId) implements InstanceTask {}

  /** The call numbered {@code sequence} has run long enough to be acknowledged early. */
  record LongCall(long sequence) implements InstanceTask {}

  /** Release-now: {@code lease} ends at once, answering {@code request}. */
  record Revoke(String lease, AMQP.BasicProperties request) implements InstanceTask {}

  /** The lease's client may have stopped renewing it. */
  record Expire() implements InstanceTask {}

  /** Stop after the running call; {@code done} completes when the channels are closed. */
  record Stop(boolean deleteQueue, CompletableFuture<Void> done) implements InstanceTask {}

  /** The sweep: acknowledge the answered calls still waiting for it. */
  record FlushAcks() implements InstanceTask {}

  /** A paused shared channel whose consumer has delivered its last call: close it. */
  record Retire(Channel channel) implements InstanceTask {}

  /** The channels died (connection lost and re-made, or a channel closed by the broker): open new ones. */
  record Rebind(Connection connection) implements InstanceTask {}

  /** The broker closed the instance channel, refusing a reply: answer the requests whose replies it did not deliver. */
  record RepliesRefused(ChannelRefusal refusal, SentLog<InstanceReplies.Sent> carried) implements InstanceTask {}

  /** A reply whose channel the broker had closed under it: sent again on the channel that replaces it. */
  record Resend(AMQP.BasicProperties request, String type, String status, Map<String, Object> headers, byte[] body,
      String contentType, boolean answersRefusal) implements InstanceTask {}
}
