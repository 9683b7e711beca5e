package io.warren.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.warren.grid.ErrorCode;
import io.warren.grid.spi.Codec;
import io.warren.grid.spi.WireError;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** Builds and reads Warren messages: properties, headers and replies. */
public final class Messages {
  private Messages() {}

  /** Properties for a JSON request of {@code type} expecting a reply on {@code replyTo}. */
  public static AMQP.BasicProperties request(String type, String correlationId, String replyTo, Map<String, Object> headers) {
    return request(type, correlationId, replyTo, headers, Protocol.JSON);
  }

  /** Properties for a request whose body is in {@code contentType}. */
  public static AMQP.BasicProperties request(
      String type, String correlationId, String replyTo, Map<String, Object> headers, String contentType) {
    return new AMQP.BasicProperties.Builder()
        .type(type)
        .correlationId(correlationId)
        .replyTo(replyTo)
        .contentType(contentType)
        .headers(headers)
        .build();
  }

  /** A header as a string, or null (the client library hands strings back as LongString). */
  public static String header(AMQP.BasicProperties props, String name) {
    Map<String, Object> headers = props.getHeaders();
    Object value = headers == null ? null : headers.get(name);
    return value == null ? null : value.toString();
  }

  /** A numeric header, or {@code fallback}. */
  public static long longHeader(AMQP.BasicProperties props, String name, long fallback) {
    Map<String, Object> headers = props.getHeaders();
    Object value = headers == null ? null : headers.get(name);
    if (value instanceof Number number) {
      return number.longValue();
    }
    if (value != null) {
      try {
        return Long.parseLong(value.toString());
      } catch (NumberFormatException e) {
        return fallback;
      }
    }
    return fallback;
  }

  /**
   * Publishes a successful reply carrying {@code body} to the request's reply queue, if it has one.
   * The body is in the request's format (a call's result is encoded as its arguments were), so the
   * reply carries the request's content type.
   */
  public static void replyOk(Channel channel, AMQP.BasicProperties request, byte[] body) throws IOException {
    reply(channel, request, Protocol.T_REPLY, Protocol.STATUS_OK, Map.of(), body, resultContentType(request));
  }

  /** Publishes an error reply: always JSON, whatever the request's format. */
  public static void replyError(Channel channel, AMQP.BasicProperties request, WireError error) throws IOException {
    reply(channel, request, Protocol.T_REPLY, Protocol.STATUS_ERROR, Map.of(), errorBody(error), Protocol.JSON);
  }

  /** The content type of a successful reply to {@code request}: the request's own, JSON if it named none. */
  public static String resultContentType(AMQP.BasicProperties request) {
    return request.getContentType() != null ? request.getContentType() : Protocol.JSON;
  }

  /** An error reply's body: {@code error} in JSON. */
  public static byte[] errorBody(WireError error) {
    return Codec.json().mapper().writeValueAsBytes(error);
  }

  /** Publishes an error reply with a code and message. */
  public static void replyError(Channel channel, AMQP.BasicProperties request, ErrorCode code, String message) throws IOException {
    replyError(channel, request, WireError.of(code, message));
  }

  /** Publishes a JSON reply of {@code type}. */
  public static void reply(
      Channel channel, AMQP.BasicProperties request, String type, String status, Map<String, Object> extraHeaders, byte[] body)
      throws IOException {
    reply(channel, request, type, status, extraHeaders, body, Protocol.JSON);
  }

  /**
   * Publishes a reply of {@code type} whose body is in {@code contentType}. Not mandatory: a caller
   * that went away has nothing to deliver to, and its reply queue (exclusive) went with it.
   */
  public static void reply(Channel channel, AMQP.BasicProperties request, String type, String status,
      Map<String, Object> extraHeaders, byte[] body, String contentType) throws IOException {
    String replyTo = request.getReplyTo();
    if (replyTo == null || replyTo.isEmpty()) {
      return; // nobody asked for an answer
    }
    Map<String, Object> headers = new HashMap<>(extraHeaders);
    headers.put(Protocol.H_STATUS, status);
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
        .type(type)
        .correlationId(request.getCorrelationId())
        .contentType(contentType)
        .headers(headers)
        .build();
    channel.basicPublish("", replyTo, false, props, body);
  }
}
