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
 */
final class ChannelPool implements AutoCloseable {
  private final Connection connection;
  private final ReturnListener returns;
  private final ConcurrentLinkedQueue<Channel> idle = new ConcurrentLinkedQueue<>();

  ChannelPool(Connection connection, ReturnListener returns) {
    this.connection = connection;
    this.returns = returns;
  }

  /** Publishes on a channel owned by this thread for the duration of the call. */
  void publish(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties props, byte[] body)
      throws IOException {
    Channel channel = idle.poll();
    while (channel != null && !channel.isOpen()) {
      channel = idle.poll();
    }
    if (channel == null) {
      channel = connection.createChannel();
      channel.addReturnListener(returns);
    }
    try {
      channel.basicPublish(exchange, routingKey, mandatory, props, body);
    } finally {
      if (channel.isOpen()) {
        idle.offer(channel);
      }
    }
  }

  @Override
  public void close() {
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
