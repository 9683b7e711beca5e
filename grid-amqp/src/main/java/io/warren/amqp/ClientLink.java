package io.warren.amqp;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.grid.GridException;
import io.warren.grid.GridUnavailableException;
import io.warren.grid.spi.BrokerEndpoint;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's broker connection, with what its owner set up on it, replaced after a drop: when the
 * connection drops, the owner is told once and a background loop reconnects with backoff (100 ms
 * doubling to 5 s) and sets the new connection up the same way, until {@link #close}.
 *
 * <p>Thread-safe. While there is no usable connection {@link #unavailable()} says why; requests
 * should fail fast with it rather than wait. A close wins over a reconnect that completes at the
 * same time: a closed link stays closed.
 *
 * <pre>{@code
 * ClientLink link = ClientLink.open(broker, scheduler, connection -> declareQueues(connection), outage -> failAll(outage));
 * GridException down = link.unavailable();   // null while connected
 * link.current().publishers().publish(...);
 * }</pre>
 */
final class ClientLink {
  private static final Logger log = LoggerFactory.getLogger(ClientLink.class);
  private static final long FIRST_RECONNECT_DELAY_MILLIS = 100;
  private static final long MAX_RECONNECT_DELAY_MILLIS = 5_000;
  private static final String CONNECTION_NAME = "warren-client";

  /** One live connection and what was set up on it. */
  record Current(Connection connection, ChannelPool publishers, String replyQueue) {}

  /** Sets up a fresh connection: declares the client's queues and starts its consumers. */
  @FunctionalInterface
  interface SetUp {
    Current on(Connection connection) throws IOException;
  }

  private final BrokerEndpoint broker;
  private final ScheduledExecutorService scheduler;
  private final SetUp setUp;
  private final Consumer<GridUnavailableException> onLost;
  /** Orders close() against a reconnect's swap of the connection, so a closed link stays closed. */
  private final Object lifecycle = new Object();
  private volatile Current current;
  private volatile boolean closed;
  private volatile GridException unavailable;

  private ClientLink(BrokerEndpoint broker, ScheduledExecutorService scheduler, SetUp setUp,
      Consumer<GridUnavailableException> onLost) {
    this.broker = broker;
    this.scheduler = scheduler;
    this.setUp = setUp;
    this.onLost = onLost;
  }

  /**
   * Connects and sets the connection up; reconnects run on {@code scheduler}. {@code onLost} runs
   * once per drop, before reconnecting starts: on the connection's thread, or for a connection that
   * dropped during its set-up on the thread that set it up (this one, for the first).
   *
   * @throws GridUnavailableException if the broker cannot be reached or the set-up fails
   */
  static ClientLink open(BrokerEndpoint broker, ScheduledExecutorService scheduler, SetUp setUp,
      Consumer<GridUnavailableException> onLost) {
    ClientLink link = new ClientLink(broker, scheduler, setUp, onLost);
    Connection connection = Connections.open(broker, CONNECTION_NAME);
    Current first;
    try {
      first = link.setUpWatched(connection);
    } catch (IOException | RuntimeException e) {
      closeQuietly(connection);
      throw new GridUnavailableException("cannot set up client queues on " + broker.uri() + ": " + e.getMessage(), e);
    }
    link.current = first;
    link.reportIfAlreadyDropped(first);
    return link;
  }

  /** The connection in use; after a drop, the dropped one until a reconnect replaces it. */
  Current current() {
    return current;
  }

  /** Why no request can go out now (the connection dropped, or the link is closed); null when connected. */
  GridException unavailable() {
    return unavailable;
  }

  /**
   * Stops reconnecting and closes the connection. {@link #unavailable()} says {@code reason} from
   * the start, so no request passes its check after it; {@code failWaiting} runs next, before the
   * connection closes, so those waiting fail at once rather than after the close handshake (up to
   * 5 s with a broker that does not answer).
   */
  void close(GridUnavailableException reason, Runnable failWaiting) {
    Current last;
    synchronized (lifecycle) {
      closed = true;
      unavailable = reason;
      last = current;
    }
    failWaiting.run();
    last.publishers().close();
    closeQuietly(last.connection());
  }

  private Current setUpWatched(Connection connection) throws IOException {
    Current fresh = setUp.on(connection);
    connection.addShutdownListener(cause -> onShutdown(fresh, cause));
    return fresh;
  }

  /**
   * A connection that dropped before it became current (during its set-up, or just after) had its
   * shutdown ignored, as the listener only acts for the current one: report that drop now.
   */
  private void reportIfAlreadyDropped(Current fresh) {
    ShutdownSignalException cause = fresh.connection().getCloseReason();
    if (cause != null) {
      onShutdown(fresh, cause);
    }
  }

  private void onShutdown(Current lost, ShutdownSignalException cause) {
    GridUnavailableException outage =
        new GridUnavailableException("lost the broker connection: " + cause.getMessage() + "; reconnecting", cause);
    synchronized (lifecycle) {
      // A drop is reported once: by the listener or by reportIfAlreadyDropped, whichever comes first.
      if (closed || current != lost || unavailable != null) {
        return;
      }
      unavailable = outage;
    }
    log.warn("broker connection lost: {}; reconnecting", cause.getMessage());
    onLost.accept(outage);
    scheduleReconnect(FIRST_RECONNECT_DELAY_MILLIS);
  }

  private void scheduleReconnect(long delayMillis) {
    if (closed) {
      return;
    }
    try {
      scheduler.schedule(() -> reconnect(delayMillis), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void reconnect(long lastDelayMillis) {
    if (closed) {
      return;
    }
    Connection connection = null;
    try {
      connection = Connections.open(broker, CONNECTION_NAME);
      Current fresh = setUpWatched(connection);
      synchronized (lifecycle) {
        if (closed) { // close() ran while this connected: it must not reopen the grid
          closeQuietly(connection);
          return;
        }
        current = fresh;
        unavailable = null;
      }
      log.info("reconnected to {}", broker.uriList());
      reportIfAlreadyDropped(fresh);
    } catch (IOException | RuntimeException e) {
      if (connection != null) {
        closeQuietly(connection);
      }
      log.debug("reconnect to {} failed: {}", broker.uriList(), e.getMessage());
      scheduleReconnect(Math.min(MAX_RECONNECT_DELAY_MILLIS, lastDelayMillis * 2));
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      if (connection.isOpen()) {
        connection.close(5_000);
      }
    } catch (IOException | RuntimeException e) {
      log.debug("closing the connection: {}", e.getMessage());
    }
  }
}
