package io.warren.amqp;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.AddressResolver;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.TrafficListener;
import io.warren.grid.Grid;
import io.warren.grid.GridUnavailableException;
import io.warren.grid.spi.BrokerEndpoint;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/** Opens broker connections the way every Warren process does. */
public final class Connections {
  private Connections() {}

  /** AMQP heartbeat: the broker notices a dead peer (and requeues its unacked calls) within ~2x this. */
  public static final int AMQP_HEARTBEAT_SECONDS = 5;

  /**
   * The largest message body a Warren connection accepts: RabbitMQ's hard maximum (its {@code
   * max_message_size} cannot be set higher). amqp-client's own default is 64 MiB; a larger delivery
   * (RabbitMQ 3.x accepts up to 128 MiB by default) made its reader thread throw and the connection
   * die, the message was requeued and redelivered to the reconnected worker: a poison loop no size
   * check of Warren's was ever reached in. Above what any broker can deliver, it is never hit; the
   * body's buffer is sized by each message, so the limit itself costs no memory.
   */
  public static final int MAX_INBOUND_BODY_BYTES = Grid.Builder.LARGEST_MESSAGE_BYTES;

  /**
   * Connects to {@code broker}. For {@code amqps} the JVM's default trust store is used and the
   * broker's host name is verified (amqp-client's own default for amqps trusts every certificate).
   *
   * @throws GridUnavailableException naming the broker (never the password) when it cannot connect
   */
  public static Connection open(BrokerEndpoint broker, String connectionName) {
    return open(broker, connectionName, null);
  }

  /**
   * Connects to {@code broker}, delivering to consumers on {@code consumerThreads} (amqp-client's
   * own pool, 2 threads per core, when null). The caller owns the pool: closing the connection
   * does not shut it down.
   *
   * @throws GridUnavailableException naming the broker (never the password) when it cannot connect
   */
  public static Connection open(BrokerEndpoint broker, String connectionName, ExecutorService consumerThreads) {
    return open(broker, connectionName, consumerThreads, null);
  }

  /**
   * As {@link #open(BrokerEndpoint, String, ExecutorService)}, telling {@code traffic} (if not null)
   * of every command as the connection's reader thread receives it, before any consumer sees it.
   */
  public static Connection open(BrokerEndpoint broker, String connectionName, ExecutorService consumerThreads,
      TrafficListener traffic) {
    ConnectionFactory factory = new ConnectionFactory();
    if (consumerThreads != null) {
      factory.setSharedExecutor(consumerThreads);
    }
    if (traffic != null) {
      factory.setTrafficListener(traffic);
    }
    // amqp-client's own consumer threads would be "pool-N-thread-M" in thread dumps and profiles.
    factory.setThreadFactory(named(connectionName + "-amqp-"));
    try {
      factory.setUri(broker.uri());
      if ("amqps".equalsIgnoreCase(broker.uri().getScheme())) {
        factory.useSslProtocol(SSLContext.getDefault());
        factory.enableHostnameVerification();
      }
    } catch (GeneralSecurityException e) {
      throw new GridUnavailableException("cannot use broker uri " + broker.uri() + ": " + e.getMessage(), e);
    }
    factory.setUsername(broker.username());
    factory.setPassword(broker.password());
    factory.setRequestedHeartbeat(AMQP_HEARTBEAT_SECONDS);
    factory.setConnectionTimeout(10_000);
    factory.setMaxInboundMessageBodySize(MAX_INBOUND_BODY_BYTES);
    // Recovery is Warren's own job: amqp-client's does not cover a failed first connect or
    // channel errors, and would re-create exclusive queues under racing names.
    factory.setAutomaticRecoveryEnabled(false);
    factory.setTopologyRecoveryEnabled(false);
    try {
      if (broker.alternates().isEmpty()) {
        return factory.newConnection(connectionName);
      }
      // A cluster: nodes in the given order (amqp-client would shuffle them), the first that answers wins.
      List<Address> addresses = broker.uris().stream()
          .map(u -> new Address(u.getHost(), u.getPort() > 0 ? u.getPort() : factory.getPort()))
          .toList();
      return factory.newConnection(null, new InOrder(addresses), connectionName);
    } catch (IOException | TimeoutException e) {
      String why = rootCause(e);
      throw new GridUnavailableException(
          "cannot connect to broker " + broker.uriList() + " as '" + broker.username() + "': " + why, e);
    }
  }

  /**
   * Transport threads ({@link TransportThreads}) named {@code prefix + n}, not daemons, as
   * amqp-client's default factory makes them. amqp-client renames its connection reader thread itself.
   */
  private static ThreadFactory named(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return run -> TransportThreads.newThread(run, prefix + count.incrementAndGet(), false);
  }

  /** Tries the cluster's nodes in the order given: the first is the preferred node. */
  private record InOrder(List<Address> addresses) implements AddressResolver {
    @Override
    public List<Address> getAddresses() {
      return addresses;
    }

    @Override
    public List<Address> maybeShuffle(List<Address> input) {
      return input;
    }
  }

  /** The most telling message in a failure's cause chain (the client library often wraps a null one). */
  private static String rootCause(Throwable failure) {
    String why = failure.getClass().getSimpleName();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        why = t.getMessage();
      }
    }
    return why;
  }
}
