package io.warren.it;

import io.warren.testing.RabbitMqBroker;

/** Worker loss and drain on a private RabbitMQ node. */
class RabbitMqLostWorkerIT extends AbstractLostWorkerIT {
  @Override
  protected BrokerUnderTest startBroker() {
    RabbitMqBroker broker = RabbitMqBroker.start();
    return new BrokerUnderTest(broker.uri(), broker.username(), broker.password(), broker);
  }
}
