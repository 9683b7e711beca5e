package io.warren.amqp.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.PossibleAuthenticationFailureException;
import com.rabbitmq.client.Return;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class EmbeddedBrokerTest {
  private static EmbeddedBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void uriNamesLoopbackPortAndNoCredentials() {
    URI uri = broker.uri();
    assertEquals("amqp", uri.getScheme());
    assertEquals("127.0.0.1", uri.getHost());
    assertEquals(broker.port(), uri.getPort());
    assertTrue(broker.port() > 0);
    assertEquals("", uri.getRawPath());
    assertNull(uri.getUserInfo());
    assertFalse(broker.toString().contains(broker.password()), "toString must not show the password");
  }

  @Test
  void publishedMessageComesBackFromServerNamedExclusiveQueue() throws Exception {
    try (Connection connection = connect(broker.uri(), broker.password());
        Channel channel = connection.createChannel()) {
      String queue = channel.queueDeclare().getQueue(); // server-named, exclusive, auto-delete
      BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
      CompletableFuture<Return> returned = new CompletableFuture<>();
      channel.addReturnListener(returned::complete);
      channel.basicConsume(queue, true, (tag, delivery) -> deliveries.add(delivery), tag -> { });

      byte[] body = "hello".getBytes(UTF_8);
      AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().correlationId("c-1").build();
      channel.basicPublish("", queue, true, props, body);

      Delivery delivery = deliveries.poll(10, TimeUnit.SECONDS);
      assertNotNull(delivery, "no delivery within 10 s");
      assertArrayEquals(body, delivery.getBody());
      assertEquals("c-1", delivery.getProperties().getCorrelationId());
      assertFalse(returned.isDone(), "a routable mandatory message must not be returned");
    }
  }

  @Test
  void mandatoryPublishToMissingQueueIsReturned() throws Exception {
    try (Connection connection = connect(broker.uri(), broker.password());
        Channel channel = connection.createChannel()) {
      CompletableFuture<Return> returned = new CompletableFuture<>();
      channel.addReturnListener(returned::complete);
      String missing = "missing-" + UUID.randomUUID();

      channel.basicPublish("", missing, true, null, "lost".getBytes(UTF_8));

      Return r = returned.get(10, TimeUnit.SECONDS);
      assertEquals(AMQP.NO_ROUTE, r.getReplyCode());
      assertEquals(missing, r.getRoutingKey());
      assertArrayEquals("lost".getBytes(UTF_8), r.getBody());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "", "/%2F", "/default"})
  void defaultVirtualHostIsReachableThroughEverySpelling(String path) throws Exception {
    // amqp-client sends "" for "/", "/" for "" and "/%2F"; "/default" names the host.
    URI uri = URI.create("amqp://127.0.0.1:" + broker.port() + path);
    try (Connection connection = connect(uri, broker.password());
        Channel channel = connection.createChannel()) {
      // The connection opened, so the virtual host was found; declaring shows it serves requests.
      assertTrue(channel.queueDeclare().getQueue().length() > 0);
    }
  }

  @Test
  void unknownVirtualHostIsRefused() {
    URI unknown = URI.create("amqp://127.0.0.1:" + broker.port() + "/nope");
    assertThrows(IOException.class, () -> connect(unknown, broker.password()).close());
  }

  @Test
  void wrongPasswordIsRefused() {
    // Qpid closes with 530 (not RabbitMQ's 403), which amqp-client reports as a possible auth failure.
    assertThrows(PossibleAuthenticationFailureException.class,
        () -> connect(broker.uri(), broker.password() + "x").close());
  }

  @Test
  void everyStartHasItsOwnPortAndPassword() {
    try (EmbeddedBroker other = EmbeddedBroker.start()) {
      assertNotEquals(broker.port(), other.port());
      assertNotEquals(broker.password(), other.password());
    }
  }

  @Test
  void closeStopsTheBrokerAndFreesThePort() throws Exception {
    EmbeddedBroker own = EmbeddedBroker.start();
    int port = own.port();
    Connection connection = connect(own.uri(), own.password());

    own.close();

    assertFalse(connection.isOpen(), "close must close the broker's connections");
    assertThrows(ConnectException.class, () -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      }
    });
    try (ServerSocket rebound = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      assertEquals(port, rebound.getLocalPort());
    }
    assertDoesNotThrow(own::close, "close is idempotent");
  }

  private static Connection connect(URI uri, String password) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri);
    factory.setUsername(broker.username());
    factory.setPassword(password);
    factory.setAutomaticRecoveryEnabled(false);
    factory.setConnectionTimeout(10_000);
    return factory.newConnection("embedded-broker-test");
  }
}
