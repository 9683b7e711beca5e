package io.warren.it;

import io.warren.amqp.embedded.EmbeddedBroker;

/** Worker loss on the embedded broker, which has no consumer-cancel notifications to lean on. */
class EmbeddedBrokerLostWorkerIT extends AbstractLostWorkerIT {
  @Override
  protected BrokerUnderTest startBroker() {
    EmbeddedBroker broker = EmbeddedBroker.start();
    return new BrokerUnderTest(broker.uri(), broker.username(), broker.password(), broker);
  }
}
