package io.warren.grid.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import org.junit.jupiter.api.Test;

class BrokerEndpointTest {

  @Test
  void splitsCredentialsOffTheUri() {
    BrokerEndpoint endpoint = BrokerEndpoint.parse(URI.create("amqp://grid:s3cret@broker.example:5672/prod?heartbeat=5"));
    assertEquals(URI.create("amqp://broker.example:5672/prod?heartbeat=5"), endpoint.uri());
    assertEquals("grid", endpoint.username());
    assertEquals("s3cret", endpoint.password());
    assertFalse(endpoint.toString().contains("s3cret"));
  }

  @Test
  void keepsAnEncodedVirtualHostEncoded() {
    assertEquals("/%2F", BrokerEndpoint.parse(URI.create("amqp://h:1/%2F")).uri().getRawPath());
    assertEquals("", BrokerEndpoint.parse(URI.create("amqp://h:1")).uri().getRawPath());
  }

  @Test
  void withoutUserInfoTheRabbitDefaultsApply() {
    BrokerEndpoint endpoint = BrokerEndpoint.parse(URI.create("amqps://h"));
    assertEquals("guest", endpoint.username());
    assertEquals(URI.create("amqps://h"), endpoint.uri());
  }

  @Test
  void refusesCredentialsInTheBareUri() {
    assertThrows(IllegalArgumentException.class, () -> new BrokerEndpoint(URI.create("amqp://a:b@h"), "a", "b"));
  }
}
