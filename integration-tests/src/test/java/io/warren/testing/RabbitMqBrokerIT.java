package io.warren.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RabbitMqBrokerIT {
  private static RabbitMqBroker rabbit;

  @BeforeAll
  static void startNode() {
    rabbit = RabbitMqBroker.start(List.of("consumer_timeout = 5000"));
  }

  @AfterAll
  static void stopNode() {
    if (rabbit != null) {
      rabbit.close();
    }
  }

  @Test
  void publishedMessageIsConsumedWithTheNodeCredentials() throws Exception {
    try (Connection connection = connect(rabbit, rabbit.password());
        Channel channel = connection.createChannel()) {
      String queue = channel.queueDeclare().getQueue();
      BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
      channel.basicConsume(queue, true, (tag, delivery) -> deliveries.add(delivery), tag -> { });

      byte[] body = "ping".getBytes(UTF_8);
      channel.basicPublish("", queue, true, new AMQP.BasicProperties.Builder().correlationId("c-7").build(), body);

      Delivery delivery = deliveries.poll(10, TimeUnit.SECONDS);
      assertNotNull(delivery, "no delivery within 10 s");
      assertArrayEquals(body, delivery.getBody());
      assertEquals("c-7", delivery.getProperties().getCorrelationId());
    }
  }

  @Test
  void wrongPasswordIsRefused() {
    assertThrows(AuthenticationFailureException.class, () -> connect(rabbit, rabbit.password() + "x").close());
  }

  @Test
  void uriNamesLoopbackPortAndDefaultVirtualHostWithoutCredentials() {
    assertEquals("amqp://127.0.0.1:" + rabbit.port(), rabbit.uri().toString());
    assertNull(rabbit.uri().getUserInfo());
    assertTrue(rabbit.nodeName().matches("warren-[0-9a-f]{8}@localhost"), rabbit.nodeName());
    assertFalse(rabbit.toString().contains(rabbit.password()), "toString must not show the password");
  }

  @Test
  void rabbitmqctlListsTheQueuesOfThisNode() throws Exception {
    String name = "it-" + UUID.randomUUID();
    try (Connection connection = connect(rabbit, rabbit.password());
        Channel channel = connection.createChannel()) {
      channel.queueDeclare(name, false, true, true, null);

      ExecResult result = rabbit.rabbitmqctl("list_queues", "name");

      assertTrue(result.succeeded(), result::toString);
      assertTrue(result.stdout().lines().anyMatch(name::equals), result::toString);
    }
  }

  @Test
  void extraConfigLinesReachTheNode() {
    ExecResult result = rabbit.rabbitmqctl("eval", "application:get_env(rabbit, consumer_timeout).");

    assertTrue(result.succeeded(), result::toString);
    assertEquals("{ok,5000}", result.stdout().strip());
  }

  @Test
  void secondNodeRunsBesideTheFirstAndCloseStopsOnlyIt() throws Exception {
    RabbitMqBroker second = RabbitMqBroker.start();
    int port = second.port();
    try {
      assertNotEquals(rabbit.nodeName(), second.nodeName());
      assertNotEquals(rabbit.port(), second.port());
      assertNotEquals(rabbit.password(), second.password());
      connect(second, second.password()).close();
    } finally {
      second.close();
    }

    assertThrows(ConnectException.class, () -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      }
    }, "the closed node still accepts connections");
    assertThrows(IllegalStateException.class, () -> second.rabbitmqctl("status"));
    connect(rabbit, rabbit.password()).close(); // the first node is untouched
    second.close(); // idempotent
  }

  @Test
  void sharedNodeIsOnePerJvmAndCloseLeavesItRunning() throws Exception {
    RabbitMqBroker shared = RabbitMqBroker.shared();
    assertSame(shared, RabbitMqBroker.shared());

    shared.close();

    connect(shared, shared.password()).close();
    assertTrue(shared.rabbitmqctl("status").succeeded());
  }

  @Test
  void nodeThatCannotStartFailsWithItsOwnErrorInTheMessage() {
    IllegalStateException failure = assertThrows(IllegalStateException.class,
        () -> RabbitMqBroker.start(List.of("no_such_setting_for_warren = 1")).close());

    assertTrue(failure.getMessage().contains("no_such_setting_for_warren"), failure.getMessage());
  }

  private static Connection connect(RabbitMqBroker broker, String password) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker.uri());
    factory.setUsername(broker.username());
    factory.setPassword(password);
    factory.setAutomaticRecoveryEnabled(false);
    factory.setConnectionTimeout(10_000);
    return factory.newConnection("rabbitmq-broker-it");
  }
}
