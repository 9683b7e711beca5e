package io.warren.it;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bare amqp-client connection for sending hand-made, possibly malformed, messages to Warren's
 * queues. Replies are handed to the test thread through a queue, never asserted in the callback.
 */
final class RawAmqpClient implements AutoCloseable {
  /** A reply as received: {@code body} is {@code bytes} read as UTF-8. */
  record Received(AMQP.BasicProperties props, String body, byte[] bytes) {
    String header(String name) {
      Object value = props.getHeaders() == null ? null : props.getHeaders().get(name);
      return value == null ? null : value.toString();
    }
  }

  private final Connection connection;
  private final Channel channel;
  private final String replyQueue;
  private final BlockingQueue<Received> replies = new ArrayBlockingQueue<>(100);

  RawAmqpClient(BrokerUnderTest broker) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker.uri());
    factory.setUsername(broker.username());
    factory.setPassword(broker.password());
    connection = factory.newConnection("raw-test-client");
    channel = connection.createChannel();
    replyQueue = channel.queueDeclare().getQueue();
    channel.basicConsume(replyQueue, true, new DefaultConsumer(channel) {
      @Override
      public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        replies.offer(new Received(props, new String(body, java.nio.charset.StandardCharsets.UTF_8), body));
      }
    });
  }

  /** Publishes a call-type message to {@code queue} with these headers and waits for its reply. */
  Received call(String queue, Map<String, Object> headers, byte[] body) throws Exception {
    return call(queue, headers, body, null);
  }

  /** As {@link #call(String, Map, byte[])}, the body labelled with {@code contentType} (null: none). */
  Received call(String queue, Map<String, Object> headers, byte[] body, String contentType) throws Exception {
    send(queue, headers, body, replyQueue, contentType);
    Received reply = replies.poll(20, TimeUnit.SECONDS);
    if (reply == null) {
      throw new AssertionError("no reply within 20 s to a message for " + queue + " with " + headers);
    }
    return reply;
  }

  /** Publishes without waiting; {@code replyTo} may be null. */
  void send(String queue, Map<String, Object> headers, byte[] body, String replyTo) throws Exception {
    send(queue, headers, body, replyTo, null);
  }

  private void send(String queue, Map<String, Object> headers, byte[] body, String replyTo, String contentType)
      throws Exception {
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().type("call").contentType(contentType)
        .correlationId(java.util.UUID.randomUUID().toString()).replyTo(replyTo).headers(headers).build();
    channel.basicPublish("", queue, false, props, body);
  }

  /** Publishes {@code body} to {@code exchange} with {@code routingKey} and no properties. */
  void publish(String exchange, String routingKey, byte[] body) throws Exception {
    channel.basicPublish(exchange, routingKey, false, null, body);
  }

  /** Messages ready in {@code queue}. */
  long messageCount(String queue) throws Exception {
    try (Channel probe = connection.createChannel()) {
      return probe.queueDeclarePassive(queue).getMessageCount();
    }
  }

  void deleteQueue(String queue) throws Exception {
    try (Channel admin = connection.createChannel()) {
      admin.queueDelete(queue);
    }
  }

  @Override
  public void close() throws Exception {
    connection.close();
  }
}
