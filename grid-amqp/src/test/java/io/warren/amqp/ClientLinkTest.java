package io.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Connection;
import io.warren.amqp.embedded.EmbeddedBroker;
import io.warren.grid.GridUnavailableException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client's broker connection across a drop and a close, on the embedded broker. */
@Timeout(60)
class ClientLinkTest {
  private final ScheduledThreadPoolExecutor timers = Timers.daemon("test-timers");
  private final List<Connection> setUp = new CopyOnWriteArrayList<>();
  private final LinkedBlockingQueue<GridUnavailableException> outages = new LinkedBlockingQueue<>();

  @AfterEach
  void stopTimers() {
    timers.shutdownNow();
  }

  @Test
  void aDroppedConnectionIsReportedOnceAndReplacedByANewOneSetUpTheSameWay() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      ClientLink link = open(broker);
      ClientLink.Current first = link.current();
      assertNull(link.unavailable());

      first.connection().abort(); // as a broker restart would drop it
      GridUnavailableException outage = outages.poll(30, TimeUnit.SECONDS);
      assertTrue(outage != null && outage.getMessage().startsWith("lost the broker connection"), String.valueOf(outage));

      awaitReconnected(link);
      assertNotSame(first, link.current());
      assertEquals(2, setUp.size(), "the new connection was set up like the first");
      assertTrue(link.current().connection().isOpen());
      assertEquals(List.of(), List.copyOf(outages), "one drop, one report");
      link.close(new GridUnavailableException("the grid is closed"), () -> {});
    }
  }

  @Test
  void aConnectionThatDropsBeforeItIsInUseIsReportedAndReplacedStill() throws Exception {
    // Its shutdown listener, added once the set-up is done, fires before the link holds the connection.
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      ClientLink link = open(broker, connection -> {
        if (setUp.size() == 1) {
          connection.abort();
        }
      });

      assertTrue(outages.poll(30, TimeUnit.SECONDS) != null, "the drop during the set-up was reported");
      awaitReconnected(link);
      assertEquals(2, setUp.size());
      assertTrue(link.current().connection().isOpen(), "not left holding the dead connection");
      link.close(new GridUnavailableException("the grid is closed"), () -> {});
    }
  }

  @Test
  void aClosedLinkFailsWaitersBeforeItDisconnectsAndNeverReconnects() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      ClientLink link = open(broker);
      GridUnavailableException closed = new GridUnavailableException("the grid is closed");
      boolean[] openWhileFailingWaiters = {false};

      link.close(closed, () -> openWhileFailingWaiters[0] = link.current().connection().isOpen() && link.unavailable() == closed);

      assertTrue(openWhileFailingWaiters[0], "waiters fail first, already refused new requests, before the close handshake");
      assertFalse(link.current().connection().isOpen());
      assertSame(closed, link.unavailable());
      Thread.sleep(500); // five first reconnect delays, had the close been taken for a drop
      assertEquals(1, setUp.size(), "no reconnect after a close");
      assertEquals(List.of(), List.copyOf(outages), "a close is no outage");
    }
  }

  private ClientLink open(EmbeddedBroker broker) {
    return open(broker, connection -> {});
  }

  /** Opens a link whose set-up records each connection, then runs {@code atTheEnd} on it. */
  private ClientLink open(EmbeddedBroker broker, java.util.function.Consumer<Connection> atTheEnd) {
    return ClientLink.open(broker.endpoint(), timers, connection -> {
      setUp.add(connection);
      atTheEnd.accept(connection);
      return new ClientLink.Current(connection, new ChannelPool(connection, (code, text, exchange, key, props, body) -> {},
          (refusal, carried) -> {}), "reply-queue-" + setUp.size());
    }, outages::add);
  }

  private static void awaitReconnected(ClientLink link) throws InterruptedException {
    while (link.unavailable() != null) {
      Thread.sleep(20);
    }
  }
}
