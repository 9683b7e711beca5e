package io.warren.it;

import io.warren.amqp.embedded.EmbeddedBroker;

/** The conformance suite on the embedded Apache Qpid Broker-J (no RabbitMQ-only features). */
class EmbeddedBrokerGridIT extends AbstractGridIT {
  @Override
  protected BrokerUnderTest startBroker() {
    EmbeddedBroker broker = EmbeddedBroker.start();
    return new BrokerUnderTest(broker.uri(), broker.username(), broker.password(), broker);
  }
}
