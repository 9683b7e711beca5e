package io.warren.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Raw amqp-client request/reply: one publishing channel, one exclusive server-named reply queue
 * consumed with auto-ack, replies matched by correlation id. The least any AMQP RPC client can do.
 * Thread-safe (calls publish under one lock: one channel, one publisher at a time).
 */
final class RawClient implements AutoCloseable {
  private final Connection connection;
  private final Channel publisher;
  private final String replyQueue;
  private final ConcurrentHashMap<String, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();
  private long nextId;

  RawClient(ConnectionFactory factory) throws IOException, TimeoutException {
    connection = factory.newConnection("warren-bench-raw-client");
    publisher = connection.createChannel();
    Channel consumer = connection.createChannel();
    replyQueue = consumer.queueDeclare().getQueue();
    consumer.basicConsume(replyQueue, true, (tag, delivery) -> {
      CompletableFuture<byte[]> call = pending.remove(delivery.getProperties().getCorrelationId());
      if (call != null) {
        call.complete(delivery.getBody());
      }
    }, tag -> {});
  }

  Connection connection() {
    return connection;
  }

  CompletableFuture<byte[]> call(String queue, byte[] body) throws IOException {
    return publish(queue, body, false);
  }

  /** A call in Warren's message shape ({@link MessageShape}): its properties, published {@code mandatory}. */
  CompletableFuture<byte[]> callShaped(String queue, byte[] body) throws IOException {
    return publish(queue, body, true);
  }

  private synchronized CompletableFuture<byte[]> publish(String queue, byte[] body, boolean shaped) throws IOException {
    String id = Long.toString(++nextId);
    CompletableFuture<byte[]> call = new CompletableFuture<>();
    pending.put(id, call);
    if (shaped) {
      publisher.basicPublish("", queue, MessageShape.MANDATORY, MessageShape.request(id, replyQueue), body);
    } else {
      publisher.basicPublish("", queue, new AMQP.BasicProperties.Builder().correlationId(id).replyTo(replyQueue).build(), body);
    }
    return call;
  }

  @Override
  public void close() throws IOException {
    connection.close();
  }
}
