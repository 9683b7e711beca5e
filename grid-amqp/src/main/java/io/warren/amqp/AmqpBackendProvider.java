package io.warren.amqp;

import io.warren.grid.spi.BrokerEndpoint;
import io.warren.grid.spi.GridBackend;
import io.warren.grid.spi.GridBackendProvider;

/** The AMQP 0-9-1 transport for {@code amqp://} and {@code amqps://} broker URIs. */
public final class AmqpBackendProvider implements GridBackendProvider {

  @Override
  public boolean supports(String scheme) {
    return "amqp".equalsIgnoreCase(scheme) || "amqps".equalsIgnoreCase(scheme);
  }

  @Override
  public GridBackend open(BrokerEndpoint broker) {
    return AmqpGridBackend.open(broker);
  }
}
