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

  @Test
  void aClusterIsAListWithThePreferredNodeFirst() {
    BrokerEndpoint cluster = BrokerEndpoint.parseList("amqp://u:p@n1:5672/v, amqp://n2:5673/v,amqp://n3/v");
    assertEquals(URI.create("amqp://n1:5672/v"), cluster.uri());
    assertEquals(java.util.List.of(URI.create("amqp://n2:5673/v"), URI.create("amqp://n3/v")), cluster.alternates());
    assertEquals("u", cluster.username());
    assertEquals("amqp://n1:5672/v,amqp://n2:5673/v,amqp://n3/v", cluster.uriList());
    assertEquals(cluster, BrokerEndpoint.parseList(cluster.uriList()).withCredentials("u", "p"));
    assertFalse(cluster.toString().contains("p]") || cluster.toString().contains(":p@"), cluster.toString());
  }

  @Test
  void clusterNodesMustShareSchemeAndVirtualHost() {
    assertThrows(IllegalArgumentException.class, () -> BrokerEndpoint.parseList("amqp://n1/v,amqps://n2/v"));
    assertThrows(IllegalArgumentException.class, () -> BrokerEndpoint.parseList("amqp://n1/a,amqp://n2/b"));
    assertThrows(IllegalArgumentException.class, () -> BrokerEndpoint.parseList(" , "));
  }
}
