package io.warren.bench;

import com.rabbitmq.client.Channel;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import org.springframework.amqp.rabbit.AsyncRabbitTemplate;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;

/**
 * Spring AMQP clients of the raw echo server: {@code RabbitTemplate.convertSendAndReceive} (its
 * default: direct reply-to) for sequential calls, and {@code AsyncRabbitTemplate} with a reply-queue
 * listener container (its faster pipelined set-up, per DESIGN.md) for pipelined calls.
 */
final class SpringClients implements AutoCloseable {
  private static final String REPLY_QUEUE = "bench.spring.replies";
  private final CachingConnectionFactory factory;
  private final RabbitTemplate sync;
  private final AsyncRabbitTemplate async;
  private final RawClient admin;

  SpringClients(URI broker, String username, String password, RawClient admin) throws Exception {
    this.admin = admin;
    factory = new CachingConnectionFactory(broker);
    factory.setUsername(username);
    factory.setPassword(password);
    sync = new RabbitTemplate(factory);
    sync.setReplyTimeout(30_000);
    try (Channel channel = admin.connection().createChannel()) {
      channel.queueDeclare(REPLY_QUEUE, false, false, false, null);
    }
    RabbitTemplate asyncTemplate = new RabbitTemplate(factory);
    SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(factory);
    container.setQueueNames(REPLY_QUEUE);
    async = new AsyncRabbitTemplate(asyncTemplate, container, REPLY_QUEUE);
    async.setReceiveTimeout(30_000);
    async.start();
  }

  byte[] call(String queue, byte[] payload) {
    Object reply = sync.convertSendAndReceive("", queue, payload);
    if (!(reply instanceof byte[] bytes)) {
      throw new IllegalStateException("Spring RabbitTemplate got no reply: " + reply);
    }
    return bytes;
  }

  CompletableFuture<Object> callAsync(String queue, byte[] payload) {
    return async.convertSendAndReceive("", queue, payload);
  }

  @Override
  public void close() throws Exception {
    async.stop();
    sync.stop(); // its direct reply-to container's monitor thread is not a daemon
    sync.destroy();
    factory.destroy();
    try (Channel channel = admin.connection().createChannel()) {
      channel.queueDelete(REPLY_QUEUE);
    }
  }
}
