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
 */
final class ChannelPool implements AutoCloseable {
  /** Channels for ordered publishing; a routing key always maps to the same one. */
  private static final int ORDERED_STRIPES = 8;

  private final Connection connection;
  private final ReturnListener returns;
  private final ConcurrentLinkedQueue<Channel> idle = new ConcurrentLinkedQueue<>();
  private final Channel[] ordered = new Channel[ORDERED_STRIPES];

  ChannelPool(Connection connection, ReturnListener returns) {
    this.connection = connection;
    this.returns = returns;
  }

  /**
   * Publishes on the channel of {@code routingKey}'s stripe, holding it: messages for one routing
   * key (a lease's calls and its release, on the instance's queue) reach their queue in the order
   * of these calls, from any threads.
   */
  void publishInOrder(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties props, byte[] body)
      throws IOException {
    int stripe = Math.floorMod(routingKey.hashCode(), ORDERED_STRIPES);
    Channel channel;
    synchronized (ordered) {
      // The array's monitor only guards a stripe's channel (made again if it died); publishing holds the channel's own.
      if (ordered[stripe] == null || !ordered[stripe].isOpen()) {
        ordered[stripe] = newChannel();
      }
      channel = ordered[stripe];
    }
    synchronized (channel) {
      channel.basicPublish(exchange, routingKey, mandatory, props, body);
    }
  }

  /** Publishes on a channel owned by this thread for the duration of the call. */
  void publish(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties props, byte[] body)
      throws IOException {
    Channel channel = idle.poll();
    while (channel != null && !channel.isOpen()) {
      channel = idle.poll();
    }
    if (channel == null) {
      channel = newChannel();
    }
    try {
      channel.basicPublish(exchange, routingKey, mandatory, props, body);
    } finally {
      if (channel.isOpen()) {
        idle.offer(channel);
      }
    }
  }

  private Channel newChannel() throws IOException {
    Channel channel = connection.createChannel();
    channel.addReturnListener(returns);
    return channel;
  }

  @Override
  public void close() {
    synchronized (ordered) {
      for (Channel channel : ordered) {
        if (channel != null) {
          idle.offer(channel);
        }
      }
    }
    Channel channel;
    while ((channel = idle.poll()) != null) {
      try {
        channel.close();
      } catch (IOException | RuntimeException | java.util.concurrent.TimeoutException e) {
        // closing anyway; the connection's close takes the rest
      }
    }
  }
}
