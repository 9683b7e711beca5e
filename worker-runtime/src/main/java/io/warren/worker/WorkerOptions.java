package io.warren.worker;

import static java.util.Objects.requireNonNull;

import io.warren.amqp.Connections;
import io.warren.grid.spi.BrokerEndpoint;
import io.warren.grid.spi.Provisioner;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A worker's settings, read from its command line and environment.
 *
 * <pre>
 * java -cp APP:WARREN io.warren.worker.WorkerMain --broker amqp://host:5672[,amqp://node2:5672...] --worker-id w1 \
 *     [--slots N] [--heartbeat-millis MS] [--drain-grace-millis MS] \
 *     [--credentials-file FILE] [--exit-on-stdin-eof] [--max-message-bytes N] \
 *     [--ack-after-millis MS] [--max-attempts N] [--reconnect-for-millis MS]
 * </pre>
 *
 * Credentials never come from the command line (where {@code ps} shows them): they come from
 * {@code WARREN_BROKER_USERNAME}/{@code WARREN_BROKER_PASSWORD} in the environment, or from a
 * properties file ({@code username=}, {@code password=}) readable by its owner only.
 *
 * @param broker the broker URI, without credentials
 * @param workerId the id this worker announces (unique on the broker)
 * @param slots instances per service hosted by default
 * @param heartbeatInterval how often to heartbeat
 * @param drainGrace how long a drain may wait for running calls
 * @param credentialsFile where the credentials are, or null for the environment
 * @param exitOnStdinEof stop when standard input closes (the parent process died)
 * @param maxMessageBytes calls with a larger body are refused, and results that encode larger fail with
 *     {@code BAD_REQUEST} instead of being sent (default 16 MiB, at most 512 MiB: {@link
 *     Connections#MAX_INBOUND_BODY_BYTES})
 * @param ackAfter a shared call still running this long after its delivery is acknowledged early, so
 *     the broker's consumer timeout cannot redeliver it while it runs (default 5 min; RabbitMQ's
 *     timeout is 30; keep it under half of that, see docs/protocol.md)
 * @param maxAttempts deliveries (each ended by a worker's death) before a call is dead-lettered (3)
 * @param reconnectFor how long to keep trying to reconnect after losing the broker before exiting
 *     with status 3 (default 5 min)
 * @param alternateBrokers further nodes of a clustered broker, tried in order after {@code broker}
 */
public record WorkerOptions(
    URI broker, String workerId, int slots, Duration heartbeatInterval, Duration drainGrace,
    Path credentialsFile, boolean exitOnStdinEof, int maxMessageBytes, Duration ackAfter, int maxAttempts,
    Duration reconnectFor, List<URI> alternateBrokers) {

  public static final String USERNAME_ENV = "WARREN_BROKER_USERNAME";
  public static final String PASSWORD_ENV = "WARREN_BROKER_PASSWORD";

  public WorkerOptions {
    requireNonNull(broker, "broker == null");
    requireNonNull(workerId, "workerId == null");
    alternateBrokers = List.copyOf(alternateBrokers);
    if (broker.getUserInfo() != null || alternateBrokers.stream().anyMatch(u -> u.getUserInfo() != null)) {
      throw new IllegalArgumentException("--broker must not carry credentials; use " + USERNAME_ENV + "/" + PASSWORD_ENV + " or --credentials-file");
    }
    if (!workerId.matches("[A-Za-z0-9._-]{1,100}")) {
      throw new IllegalArgumentException("--worker-id must be 1-100 of [A-Za-z0-9._-], was '" + workerId + "'");
    }
    if (slots < 1) {
      throw new IllegalArgumentException("--slots must be >= 1, was " + slots);
    }
    if (heartbeatInterval.compareTo(Provisioner.MIN_HEARTBEAT_INTERVAL) < 0) {
      throw new IllegalArgumentException("--heartbeat-millis must be >= " + Provisioner.MIN_HEARTBEAT_INTERVAL.toMillis());
    }
    if (maxMessageBytes < 1) {
      throw new IllegalArgumentException("--max-message-bytes must be >= 1");
    }
    if (maxMessageBytes > Connections.MAX_INBOUND_BODY_BYTES) {
      throw new IllegalArgumentException("--max-message-bytes must be <= " + Connections.MAX_INBOUND_BODY_BYTES
          + " (the largest body the broker connection can receive, RabbitMQ's own maximum), was " + maxMessageBytes);
    }
    if (drainGrace.isNegative()) {
      throw new IllegalArgumentException("--drain-grace-millis must be >= 0, was " + drainGrace.toMillis());
    }
    if (reconnectFor.isNegative()) {
      throw new IllegalArgumentException("--reconnect-for-millis must be >= 0, was " + reconnectFor.toMillis());
    }
    if (ackAfter.isNegative()) {
      throw new IllegalArgumentException("--ack-after-millis must be >= 0");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("--max-attempts must be >= 1");
    }
  }

  /** Parses a command line; throws {@link IllegalArgumentException} naming the bad option. */
  public static WorkerOptions parse(String[] args) {
    URI broker = null;
    List<URI> alternates = List.of();
    String workerId = null;
    int slots = Runtime.getRuntime().availableProcessors();
    long heartbeatMillis = 1000;
    long drainMillis = 30_000;
    Path credentials = null;
    boolean exitOnEof = false;
    int maxMessageBytes = 16 * 1024 * 1024;
    long ackAfterMillis = 300_000;
    int maxAttempts = 3;
    long reconnectForMillis = 300_000;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      switch (option) {
        case "--broker" -> {
          // A cluster is a comma-separated list, the preferred node first.
          List<URI> uris = BrokerEndpoint.splitList(value(args, ++i, option));
          if (uris.isEmpty()) {
            throw new IllegalArgumentException("--broker needs a value");
          }
          broker = uris.get(0);
          alternates = uris.subList(1, uris.size());
        }
        case "--worker-id" -> workerId = value(args, ++i, option);
        case "--slots" -> slots = number(args, ++i, option);
        case "--heartbeat-millis" -> heartbeatMillis = number(args, ++i, option);
        case "--drain-grace-millis" -> drainMillis = number(args, ++i, option);
        case "--credentials-file" -> credentials = Path.of(value(args, ++i, option));
        case "--exit-on-stdin-eof" -> exitOnEof = true;
        case "--max-message-bytes" -> maxMessageBytes = number(args, ++i, option);
        case "--ack-after-millis" -> ackAfterMillis = number(args, ++i, option);
        case "--max-attempts" -> maxAttempts = number(args, ++i, option);
        case "--reconnect-for-millis" -> reconnectForMillis = number(args, ++i, option);
        default -> throw new IllegalArgumentException("unknown option '" + option + "'");
      }
    }
    if (broker == null) {
      throw new IllegalArgumentException("--broker is required");
    }
    if (workerId == null) {
      throw new IllegalArgumentException("--worker-id is required");
    }
    return new WorkerOptions(broker, workerId, slots, Duration.ofMillis(heartbeatMillis), Duration.ofMillis(drainMillis),
        credentials, exitOnEof, maxMessageBytes, Duration.ofMillis(ackAfterMillis), maxAttempts,
        Duration.ofMillis(reconnectForMillis), alternates);
  }

  /** Options for a broker of one node. */
  public WorkerOptions(URI broker, String workerId, int slots, Duration heartbeatInterval, Duration drainGrace,
      Path credentialsFile, boolean exitOnStdinEof, int maxMessageBytes, Duration ackAfter, int maxAttempts,
      Duration reconnectFor) {
    this(broker, workerId, slots, heartbeatInterval, drainGrace, credentialsFile, exitOnStdinEof, maxMessageBytes,
        ackAfter, maxAttempts, reconnectFor, List.of());
  }

  /**
   * The broker endpoint with credentials from the file or the environment.
   *
   * @throws IllegalArgumentException when the credentials are missing, or the file is missing,
   *     unreadable or readable by others: a bad option (exit 2), not an unreachable broker (exit 3)
   */
  public BrokerEndpoint endpoint(Map<String, String> environment) {
    String username;
    String password;
    if (credentialsFile != null) {
      Properties properties = readCredentialsFile();
      username = properties.getProperty("username");
      password = properties.getProperty("password");
    } else {
      username = environment.get(USERNAME_ENV);
      password = environment.get(PASSWORD_ENV);
    }
    if (username == null || password == null) {
      throw new IllegalArgumentException("broker credentials missing: set " + USERNAME_ENV + " and " + PASSWORD_ENV
          + ", or pass --credentials-file with username= and password=");
    }
    return new BrokerEndpoint(broker, alternateBrokers, username, password);
  }

  private Properties readCredentialsFile() {
    if (!Files.exists(credentialsFile)) {
      throw new IllegalArgumentException("--credentials-file " + credentialsFile + " does not exist");
    }
    try {
      if (Files.getFileStore(credentialsFile).supportsFileAttributeView("posix")) {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(credentialsFile);
        if (permissions.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
          throw new IllegalArgumentException("credentials file " + credentialsFile + " must be readable by its owner only (chmod 600)");
        }
      }
      Properties properties = new Properties();
      try (InputStream in = Files.newInputStream(credentialsFile)) {
        properties.load(in);
      }
      return properties;
    } catch (IOException e) {
      throw new IllegalArgumentException("--credentials-file " + credentialsFile + " cannot be read: " + e, e);
    }
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static int number(String[] args, int i, String option) {
    String value = value(args, i, option);
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a whole number, got '" + value + "'");
    }
  }
}
