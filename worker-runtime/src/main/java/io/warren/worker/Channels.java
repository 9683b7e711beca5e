package io.warren.worker;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/** What an instance's parts share about its channels: how long to wait for the broker, and closing. */
final class Channels {
  /**
   * How long a hand-over waits for the broker to confirm its copy of a call, and a drain for its
   * shared consumer's last deliveries; both take a round trip to the broker when all is well.
   */
  static final long BROKER_WAIT_MILLIS = 30_000;

  private Channels() {}

  /** Closes {@code channel} if it is open; a channel already closing is left to finish. */
  static void closeQuietly(Channel channel) {
    try {
      if (channel.isOpen()) {
        channel.close();
      }
    } catch (IOException | RuntimeException | TimeoutException e) {
      // already closing
    }
  }
}
