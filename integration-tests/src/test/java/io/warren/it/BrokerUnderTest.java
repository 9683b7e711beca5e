package io.warren.it;

import java.net.URI;

/** A broker a suite runs against, and how to stop it. */
record BrokerUnderTest(URI uri, String username, String password, AutoCloseable stopper) implements AutoCloseable {
  @Override
  public void close() throws Exception {
    stopper.close();
  }
}
