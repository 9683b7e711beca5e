package io.warren.worker;

import com.rabbitmq.client.AMQP;
import io.warren.amqp.Messages;
import io.warren.amqp.Protocol;
import java.util.HashMap;
import java.util.Map;

/**
 * How many times a shared call has been delivered to a worker that died running it. The broker
 * marks a requeued delivery {@code redelivered}, but a worker's copy of a call (a hand-over, a
 * retry) is a new message without the mark: the count travels in the {@code warren-attempt}
 * header instead, from 2, so it reaches the call's next instance on any broker.
 */
final class CallAttempts {
  private CallAttempts() {}

  /** The attempt this delivery is: 1 for a call that no worker has died running. */
  static long of(boolean redelivered, AMQP.BasicProperties props) {
    long counted = Messages.longHeader(props, Protocol.H_ATTEMPT, 1);
    return redelivered ? counted + 1 : counted;
  }

  /** True when a worker died running this call before (so it must not run twice if {@code @NonIdempotent}). */
  static boolean isRetry(boolean redelivered, AMQP.BasicProperties props) {
    return of(redelivered, props) > 1;
  }

  /**
   * The properties for a copy of this delivery: the same, with the broker's redelivery mark (which
   * the copy cannot carry) counted into the header.
   */
  static AMQP.BasicProperties forCopy(boolean redelivered, AMQP.BasicProperties props) {
    return redelivered ? withAttempt(props, of(true, props)) : props;
  }

  /** {@code props} with the attempt header set to {@code attempt}. */
  static AMQP.BasicProperties withAttempt(AMQP.BasicProperties props, long attempt) {
    Map<String, Object> headers = new HashMap<>(props.getHeaders() == null ? Map.of() : props.getHeaders());
    headers.put(Protocol.H_ATTEMPT, attempt);
    return props.builder().headers(headers).build();
  }
}
