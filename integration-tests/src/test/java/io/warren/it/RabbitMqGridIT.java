package io.warren.it;

import io.warren.testing.RabbitMqBroker;

/** The conformance suite on a private RabbitMQ node (Debian's rabbitmq-server), the target broker. */
class RabbitMqGridIT extends AbstractGridIT {
  @Override
  protected BrokerUnderTest startBroker() {
    RabbitMqBroker broker = RabbitMqBroker.start();
    return new BrokerUnderTest(broker.uri(), broker.username(), broker.password(), broker);
  }
}
