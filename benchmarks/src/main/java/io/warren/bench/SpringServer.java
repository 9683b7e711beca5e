package io.warren.bench;

import java.net.URI;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.adapter.MessageListenerAdapter;

/**
 * The server half of a Spring AMQP RPC: a {@code SimpleMessageListenerContainer} (the container
 * Spring Boot configures by default) with {@code CONSUMERS} concurrent consumers at the given
 * prefetch, each delivery passed through a {@code MessageListenerAdapter} to a plain echo method whose
 * return value the adapter sends to {@code reply_to}, with the request's correlation id, before the
 * container acks ({@code AcknowledgeMode.AUTO}). This is how a Spring application answers
 * {@code RabbitTemplate.convertSendAndReceive}.
 */
final class SpringServer implements AutoCloseable {
  private final CachingConnectionFactory factory;

  SpringServer(URI broker, String username, String password) {
    factory = new CachingConnectionFactory(broker);
    factory.setUsername(username);
    factory.setPassword(password);
    factory.setChannelCacheSize(64);
  }

  /** The echo service: the adapter calls {@code handleMessage} with the converted body. */
  public static final class Echo {
    public byte[] handleMessage(byte[] body) {
      return body;
    }
  }

  AutoCloseable serve(String queue, int prefetch, int consumers) {
    SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(factory);
    container.setQueueNames(queue);
    container.setPrefetchCount(prefetch);
    container.setConcurrentConsumers(consumers);
    container.setAcknowledgeMode(AcknowledgeMode.AUTO);
    container.setMessageListener(new MessageListenerAdapter(new Echo()));
    container.afterPropertiesSet();
    container.start();
    return container::stop;
  }

  @Override
  public void close() {
    factory.destroy();
  }
}
