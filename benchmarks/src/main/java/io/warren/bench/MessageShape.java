package io.warren.bench;

import com.rabbitmq.client.AMQP;
import io.warren.amqp.Protocol;
import io.warren.grid.spi.CallEnvelope;
import io.warren.grid.spi.Codec;
import java.util.HashMap;
import java.util.Map;

/**
 * Warren's message shape for {@code Echo.echo(byte[])} in JSON, for raw amqp-client to send: the
 * body as Warren's codec writes it (the call's envelope and its arguments), the request's {@code
 * type} and {@code content_type} (published {@code mandatory} to a durable queue, no headers), the
 * reply's {@code type}, {@code content_type} and status header. Raw client and
 * server with this shape carry what Warren's messages carry and run none of Warren's code, so a
 * run of the three (raw, raw with this shape, Warren) splits Warren's gap to raw into what its
 * messages cost the broker and what its own code costs (docs/benchmarks.md, item 42).
 *
 * <pre>
 * byte[] body = MessageShape.body(payload);
 * channel.basicPublish("", queue, MessageShape.MANDATORY, MessageShape.request(id, replyTo), body);
 * </pre>
 */
final class MessageShape {
  /** Warren publishes calls {@code mandatory}: a call to a queue that is gone comes back at once. */
  static final boolean MANDATORY = true;
  /** Warren's service queues are durable. */
  static final boolean DURABLE = true;

  private static final String INTERFACE = Echo.class.getName();
  private static final String SIGNATURE = EchoContract.ECHO.signature();
  private static final long TIMEOUT_MILLIS = 30_000;

  private MessageShape() {}

  /**
   * A call's body as Warren writes it: the envelope, then the JSON arguments of {@code echo(payload)}
   * (base64 in an array). Its deadline is the time of this call plus 30 s: a body made once serves a
   * benchmark run, as raw's own body does; the deadline has the same size as every call's.
   */
  static byte[] body(byte[] payload) {
    CallEnvelope envelope = new CallEnvelope(INTERFACE, SIGNATURE, System.currentTimeMillis() + TIMEOUT_MILLIS, null, 0);
    return Codec.json().encodeCall(envelope, EchoContract.ECHO, new Object[] {payload});
  }

  /** A call's properties as Warren's client writes them. */
  static AMQP.BasicProperties request(String correlationId, String replyTo) {
    return new AMQP.BasicProperties.Builder().type(Protocol.T_CALL).contentType(Protocol.JSON)
        .correlationId(correlationId).replyTo(replyTo).build();
  }

  /** A successful reply's properties as Warren's worker writes them. */
  static AMQP.BasicProperties reply(String correlationId) {
    Map<String, Object> headers = new HashMap<>();
    headers.put(Protocol.H_STATUS, Protocol.STATUS_OK);
    return new AMQP.BasicProperties.Builder().type(Protocol.T_REPLY).correlationId(correlationId)
        .contentType(Protocol.JSON).headers(headers).build();
  }
}
