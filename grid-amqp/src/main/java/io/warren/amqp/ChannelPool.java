package io.warren.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ReturnListener;
import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Publishing channels for many caller threads: a channel is used by one thread at a time (the
 * client library's rule), and idle channels are reused, so the number of channels follows the
 * number of threads publishing at once rather than the number of calls. Every channel reports
 * mandatory returns to the same listener.
 *
 * <p>Order: RabbitMQ keeps the order of messages published on one channel, not across channels
 * (each channel is its own process in the broker, and two of them may reach a queue in either
 * order). {@link #publish} takes whichever channel is idle, so two messages one thread publishes
 * in turn may overtake each other. {@link #publishInOrder} is for messages whose order matters:
 * every message for one routing key goes through the same channel, in the order of the calls.
 *
 * <p>Refusals: each channel logs what it carried ({@link SentLog}), and when the broker closes one
 * (refusing a message) the pool hands that log to a {@link RefusalListener}.
 */
final class ChannelPool implements AutoCloseable {
  /** Channels for ordered publishing; a routing key always maps to the same one. */
  private static final int ORDERED_STRIPES = 8;

  /** Told when the broker closes a publishing channel, with what that channel carried. Called on the connection's thread. */
  @FunctionalInterface
  interface RefusalListener {
    void refused(ChannelRefusal refusal, SentLog<String> carried);
  }

  private final Connection connection;
  private final ReturnListener returns;
  private final RefusalListener refusals;
  private final ConcurrentLinkedQueue<Publisher> idle = new ConcurrentLinkedQueue<>();
  private final Publisher[] ordered = new Publisher[ORDERED_STRIPES];

  /** A channel with its log, which travel together so a publish need not look the log up. */
  private record Publisher(Channel channel, SentLog<String> log) {
    boolean isOpen() {
      return channel.isOpen();
    }

    /** Logs, then publishes: a refusal read after this publish finds it in the log. */
    void publish(String requestId, String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties props,
        byte[] body) throws IOException {
      log.record(requestId, body.length);
      channel.basicPublish(exchange, routingKey, mandatory, props, body);
    }
  }

  ChannelPool(Connection connection, ReturnListener returns, RefusalListener refusals) {
    this.connection = connection;
    this.returns = returns;
    this.refusals = refusals;
  }

  /**
   * Publishes on the channel of {@code routingKey}'s stripe, holding it: messages for one routing
   * key (a lease's calls and its release, on the instance's queue) reach their queue in the order
   * of these calls, from any threads. {@code requestId} (null for a message nobody waits on) is
   * what the channel's log records.
   */
  void publishInOrder(String requestId, String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties props,
      byte[] body) throws IOException {
    int stripe = Math.floorMod(routingKey.hashCode(), ORDERED_STRIPES);
    Publisher publisher;
    synchronized (ordered) {
      // The array's monitor only guards a stripe's channel (made again if it died); publishing holds the channel's own.
      if (ordered[stripe] == null || !ordered[stripe].isOpen()) {
        ordered[stripe] = newPublisher();
      }
      publisher = ordered[stripe];
    }
    synchronized (publisher.channel()) {
      publisher.publish(requestId, exchange, routingKey, mandatory, props, body);
    }
  }

  /** Publishes on a channel owned by this thread for the duration of the call; {@code requestId} as above. */
  void publish(String requestId, String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties props,
      byte[] body) throws IOException {
    Publisher publisher = idle.poll();
    while (publisher != null && !publisher.isOpen()) {
      publisher = idle.poll();
    }
    if (publisher == null) {
      publisher = newPublisher();
    }
    try {
      publisher.publish(requestId, exchange, routingKey, mandatory, props, body);
    } finally {
      if (publisher.isOpen()) {
        idle.offer(publisher);
      }
    }
  }

  private Publisher newPublisher() throws IOException {
    Channel channel = connection.createChannel();
    channel.addReturnListener(returns);
    SentLog<String> log = new SentLog<>();
    channel.addShutdownListener(cause -> {
      ChannelRefusal refusal = ChannelRefusal.of(cause);
      if (refusal != null) {
        refusals.refused(refusal, log);
      }
    });
    return new Publisher(channel, log);
  }

  @Override
  public void close() {
    synchronized (ordered) {
      for (Publisher publisher : ordered) {
        if (publisher != null) {
          idle.offer(publisher);
        }
      }
    }
    Publisher publisher;
    while ((publisher = idle.poll()) != null) {
      try {
        publisher.channel().close();
      } catch (IOException | RuntimeException | java.util.concurrent.TimeoutException e) {
        // closing anyway; the connection's close takes the rest
      }
    }
  }
}
