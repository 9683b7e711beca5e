package io.warren.testing;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * A RabbitMQ broker for tests in a Docker container on the host's network: Debian's
 * {@code rabbitmq-server} (3.10) with its own node name and ports on 127.0.0.1, and a user with a
 * random password, so clients log in with real credentials.
 *
 * <pre>{@code
 * try (RabbitMqContainer rabbit = RabbitMqContainer.start()) {
 *   ConnectionFactory factory = new ConnectionFactory();
 *   factory.setUri(rabbit.uri());                 // amqp://127.0.0.1:PORT — no credentials in it
 *   factory.setUsername(rabbit.username());
 *   factory.setPassword(rabbit.password());
 *   ...
 *   assertTrue(rabbit.queueNames().contains("calls"));
 * }                                               // container removed
 * }</pre>
 *
 * <p><b>What it starts.</b> The {@linkplain TestImages#rabbitMq() RabbitMQ image} with host
 * networking, running the server script in the foreground as the container's root (not Debian's
 * {@code /usr/sbin} wrapper, which switches users), node name {@code warren-ct-<random>@localhost}.
 * Host networking shares every port with the machine's own processes and the other test brokers
 * ({@link RabbitMqBroker} nodes and other containers), so each container takes three free ports of
 * 127.0.0.1: AMQP, Erlang distribution ({@code RABBITMQ_DIST_PORT}) and its own epmd
 * ({@code ERL_EPMD_PORT}; the default 4369 belongs to the machine's epmd). No plugins. Once the node
 * logs "Server startup complete", {@code rabbitmqctl} adds the user {@code warren} with a random
 * password and all permissions on {@code /}, and deletes {@code guest}.
 *
 * <p><b>Time.</b> About 23 s per start on the project's 2-core machine (Erlang loading RabbitMQ),
 * plus about 3 s for the user; each {@code rabbitmqctl} call takes about 1 s.
 *
 * <p><b>Failure.</b> No Docker engine or no image: {@link IllegalStateException} naming
 * {@code scripts/install-test-deps.sh}; the node not up within the start timeout (120 s by
 * default), or the user not created: {@link IllegalStateException} with the node's output, the
 * container removed.
 *
 * <p>Thread-safe. {@link #close()} is idempotent. Ryuk is off on the test machines, so the
 * container is removed only by {@link #close()}; one orphaned by a killed JVM is removed by
 * {@code .ci/run}.
 */
public final class RabbitMqContainer implements AutoCloseable {
  private static final String HOST = "127.0.0.1";
  private static final String USERNAME = "warren";
  private static final String CTL = "/usr/lib/rabbitmq/bin/rabbitmqctl";
  private static final String SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server";
  private static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration CTL_LIMIT = Duration.ofSeconds(60);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final GenericContainer<?> container;
  private final String nodeName;
  private final int port;
  private final String password;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RabbitMqContainer(GenericContainer<?> container, String nodeName, int port, String password) {
    this.container = container;
    this.nodeName = nodeName;
    this.port = port;
    this.password = password;
  }

  /** Starts a broker; see {@link #start(Duration)}. Waits at most 120 s. */
  public static RabbitMqContainer start() {
    return start(DEFAULT_START_TIMEOUT);
  }

  /**
   * Starts a broker and returns once it accepts logins as {@link #username()}.
   *
   * @throws IllegalStateException if Docker or the image is missing, or the node is not ready within
   *     {@code startTimeout} (the message holds its output; the container is removed)
   */
  public static RabbitMqContainer start(Duration startTimeout) {
    requireNonNull(startTimeout, "startTimeout == null");
    String image = TestImages.rabbitMq();
    String nodeName = "warren-ct-" + HexFormat.of().formatHex(randomBytes(4)) + "@localhost";
    String password = randomAlphanumeric(24);
    int[] ports = LoopbackPorts.free(3);
    int amqpPort = ports[0];
    String conf = String.join("\n",
        "listeners.tcp.default = " + HOST + ":" + amqpPort,
        // Tests come from 127.0.0.1, as a real user (guest is deleted anyway).
        "loopback_users = none",
        "");
    GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))
        .withNetworkMode("host")
        .withLabel("io.warren.test", "rabbitmq")
        .withCopyToContainer(Transferable.of(conf), "/etc/rabbitmq/rabbitmq.conf")
        // An Erlang list, not an empty file: "[]." means "no plugin enabled".
        .withCopyToContainer(Transferable.of("[].\n"), "/etc/rabbitmq/enabled_plugins")
        .withEnv("RABBITMQ_NODENAME", nodeName)
        .withEnv("RABBITMQ_CONFIG_FILE", "/etc/rabbitmq/rabbitmq.conf")
        .withEnv("RABBITMQ_ENABLED_PLUGINS_FILE", "/etc/rabbitmq/enabled_plugins")
        .withEnv("RABBITMQ_LOGS", "-") // to the container's output: readable when start-up fails
        .withEnv("RABBITMQ_DIST_PORT", Integer.toString(ports[1]))
        .withEnv("ERL_EPMD_PORT", Integer.toString(ports[2]))
        // Distribution and epmd listen on loopback only, like the machine's own test nodes.
        .withEnv("ERL_EPMD_ADDRESS", HOST)
        .withEnv("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}")
        .withCommand(SERVER)
        .waitingFor(Wait.forLogMessage(".*Server startup complete.*", 1).withStartupTimeout(startTimeout));
    Containers.start(container, "RabbitMQ node " + nodeName);
    RabbitMqContainer rabbit = new RabbitMqContainer(container, nodeName, amqpPort, password);
    try {
      rabbit.createUser();
      return rabbit;
    } catch (RuntimeException e) {
      rabbit.close();
      throw e;
    }
  }

  /** {@code amqp://127.0.0.1:PORT}: the default virtual host (no path), without credentials. */
  public URI uri() {
    return URI.create("amqp://" + HOST + ":" + port);
  }

  /** The AMQP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The user made at start, {@code warren}, with all permissions on the virtual host {@code /}. */
  public String username() {
    return USERNAME;
  }

  /** The user's password, random per container. Keep it out of logs. */
  public String password() {
    return password;
  }

  /** The Erlang node name, {@code warren-ct-<random>@localhost}. */
  public String nodeName() {
    return nodeName;
  }

  /** The Docker container's id. */
  public String containerId() {
    return container.getContainerId();
  }

  /**
   * The names of the queues of the virtual host {@code /}, from {@code rabbitmqctl list_queues}.
   *
   * @throws IllegalStateException if rabbitmqctl fails (the message holds its output)
   */
  public List<String> queueNames() {
    ExecResult result = rabbitmqctl("-q", "list_queues", "--no-table-headers", "name");
    requireSuccess(result, "list_queues");
    return result.stdout().lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
  }

  /**
   * Runs {@code rabbitmqctl -n NODE args...} in the container, at most 60 s. A non-zero exit code
   * is returned, not thrown: check {@link ExecResult#succeeded()}.
   */
  public ExecResult rabbitmqctl(String... args) {
    requireNonNull(args, "args == null");
    String[] command = new String[args.length + 3];
    command[0] = CTL;
    command[1] = "-n";
    command[2] = nodeName;
    System.arraycopy(args, 0, command, 3, args.length);
    return Containers.exec(container, CTL_LIMIT, command);
  }

  /** Removes the container (the broker dies with it; nothing is kept). Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      Containers.remove(container);
    }
  }

  @Override
  public String toString() {
    return "RabbitMqContainer[" + nodeName + ", " + uri() + ", " + containerId() + "]";
  }

  private void createUser() {
    // One exec, three CLI runs (about 1 s each): the CLI shares the node's HOME, hence its cookie.
    String n = " -n " + nodeName;
    ExecResult result = Containers.exec(container, CTL_LIMIT, "/bin/sh", "-c", String.join(" && ",
        CTL + n + " add_user " + USERNAME + " " + password,
        CTL + n + " set_permissions -p / " + USERNAME + " '.*' '.*' '.*'",
        CTL + n + " delete_user guest"));
    requireSuccess(result, "creating user " + USERNAME);
  }

  private void requireSuccess(ExecResult result, String what) {
    if (!result.succeeded()) {
      // Not the whole result: the add_user command line holds the password.
      throw new IllegalStateException("rabbitmqctl failed on " + nodeName + " (" + what + "), exit code "
          + result.exitCode() + ":\n" + result.stdout().replace(password, "***")
          + result.stderr().replace(password, "***"));
    }
  }

  private static byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static String randomAlphanumeric(int length) {
    // Letters and digits only: safe unquoted in a shell command line.
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    return RANDOM.ints(length, 0, alphabet.length())
        .mapToObj(i -> String.valueOf(alphabet.charAt(i)))
        .collect(Collectors.joining());
  }
}
