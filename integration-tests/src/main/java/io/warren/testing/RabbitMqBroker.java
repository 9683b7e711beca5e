package io.warren.testing;

import static java.util.Objects.requireNonNull;

import com.rabbitmq.client.ConnectionFactory;
import io.warren.grid.spi.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * A private RabbitMQ node from the machine's installed server (Debian's {@code rabbitmq-server}),
 * for tests and benchmarks: its own node name, loopback ports, data, logs, config and Erlang
 * cookie, all in a temporary directory that is deleted when it stops.
 *
 * <pre>{@code
 * try (RabbitMqBroker rabbit = RabbitMqBroker.start(List.of("consumer_timeout = 5000"))) {
 *   ConnectionFactory factory = rabbit.connectionFactory(); // its address and credentials
 *   ...
 *   ExecResult queues = rabbit.rabbitmqctl("list_queues", "name", "messages");
 * }
 * }</pre>
 *
 * <p><b>What it starts.</b> The server script (not Debian's {@code /usr/sbin} wrapper, which would
 * switch to the {@code rabbitmq} user), as a child of this JVM, with node name
 * {@code warren-<random>@localhost}, AMQP on a free port of 127.0.0.1, Erlang distribution on
 * another free port of 127.0.0.1, no plugins, and a {@code rabbitmq.conf} that sets
 * {@code default_user = warren}, a random {@code default_pass} and {@code loopback_users = none},
 * followed by the caller's extra lines. {@code HOME} points at the node's directory, which holds a
 * random {@code .erlang.cookie}: {@link #rabbitmqctl} runs with the same {@code HOME}, which is how
 * RabbitMQ 3.10 CLI tools find the cookie. Nodes never share anything but {@code epmd}, which the
 * first node starts and which keeps running afterwards (it is harmless and shared by every Erlang
 * node on the machine). Any number of nodes can run at once.
 *
 * <p><b>Time.</b> Start-up took 8–21 s per node on this project's 2-core (gVisor) machine,
 * almost all of it Erlang loading RabbitMQ's code; {@link #close()} takes 3–5 s. Suites that can
 * share a node use {@link #shared()}.
 *
 * <p><b>Failure.</b> If RabbitMQ is not installed, {@link #start()} throws
 * {@link IllegalStateException} saying to install Debian's {@code rabbitmq-server}: tests fail, they
 * never skip. If the node does not accept an authenticated AMQP connection within the start timeout
 * (90 s by default), it is killed and the exception carries the tail of its logs.
 *
 * <p><b>Virtual host.</b> {@link #uri()} has no path, which amqp-client reads as the default
 * virtual host {@code /}. Beware {@code amqp://127.0.0.1:PORT/}: amqp-client reads that empty path
 * as the virtual host {@code ""}, which RabbitMQ does not have ("vhost  not found").
 * {@code amqp://127.0.0.1:PORT/%2F} works with amqp-client too, but not through code that rebuilds
 * URIs from their decoded path.
 *
 * <p><b>Failures.</b> {@link #stopNode()} or {@link #killNode()} takes the node down and
 * {@link #startNode()} brings it back in place, for reliability tests (see {@link RabbitMqCluster}).
 *
 * <p>Thread-safe. {@link #close()} is idempotent; on the {@linkplain #shared() shared} node it does
 * nothing. A node still running when the JVM exits normally is stopped by a shutdown hook; one
 * orphaned by a killed JVM is found by its name ({@code warren-*}) and stopped by {@code .ci/run}.
 */
public final class RabbitMqBroker implements AutoCloseable {
  private static final String USERNAME = "warren";
  private static final String HOST = "127.0.0.1";
  private static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration CTL_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);
  private static final SecureRandom RANDOM = new SecureRandom();

  private static RabbitMqBroker shared; // guarded by RabbitMqBroker.class

  private final RabbitMqInstallation installation;
  private final NodeFiles files;
  private final String nodeName;
  private final int port;
  private final int distributionPort;
  private final String password;
  private final Duration startTimeout;
  private volatile Process process; // replaced by startNode()
  private final boolean isShared;
  private final AtomicBoolean stopped = new AtomicBoolean();
  // Stops the node if the JVM exits without close(): an orphaned node would run until killed.
  private final Thread stopAtExit = new Thread(this::stop, "warren-rabbitmq-stop-at-exit");

  private RabbitMqBroker(Builder builder, RabbitMqInstallation installation, NodeFiles files,
      String nodeName, int[] ports, String password, Process process) {
    this.installation = installation;
    this.files = files;
    this.nodeName = nodeName;
    this.port = ports[0];
    this.distributionPort = ports[1];
    this.password = password;
    this.startTimeout = builder.startTimeout;
    this.process = process;
    this.isShared = builder.shared;
  }

  /** Starts a node with the default configuration; see {@link Builder#start()}. */
  public static RabbitMqBroker start() {
    return builder().start();
  }

  /**
   * Starts a node whose {@code rabbitmq.conf} ends with {@code extraConfLines}, for instance
   * {@code "consumer_timeout = 5000"}; see {@link Builder#start()}.
   */
  public static RabbitMqBroker start(List<String> extraConfLines) {
    return builder().config(extraConfLines).start();
  }

  /** A builder for a node with extra configuration or another start timeout. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The node shared by everything in this JVM: started on the first call, stopped when the JVM
   * exits (by a shutdown hook, as every node is). Its {@link #close()} does nothing, so one suite
   * cannot stop it under another. Suites that change broker state others could see (policies,
   * users, alarms) should start their own node instead.
   *
   * @throws IllegalStateException as {@link #start()}; the next call tries again
   */
  public static synchronized RabbitMqBroker shared() {
    if (shared == null) {
      Builder builder = builder();
      builder.shared = true;
      shared = builder.start();
    }
    return shared;
  }

  /** {@code amqp://127.0.0.1:PORT}: the default virtual host (no path), without credentials. */
  public URI uri() {
    return URI.create("amqp://" + HOST + ":" + port);
  }

  /** The administrator user the node was seeded with: {@code warren}. */
  public String username() {
    return USERNAME;
  }

  /** The user's password, random per node. Keep it out of logs. */
  public String password() {
    return password;
  }

  /**
   * A new amqp-client factory for this node: its address ({@link #uri()}) and its user's
   * credentials, every other setting amqp-client's default.
   */
  public ConnectionFactory connectionFactory() {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(HOST);
    factory.setPort(port);
    factory.setVirtualHost("/");
    factory.setUsername(USERNAME);
    factory.setPassword(password);
    return factory;
  }

  /** The AMQP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The Erlang node name, {@code warren-<random>@localhost}, as {@code rabbitmqctl -n} wants it. */
  public String nodeName() {
    return nodeName;
  }

  /**
   * Runs {@code rabbitmqctl -n NODE args...} against this node and waits for it (at most 90 s).
   * A non-zero exit code is returned, not thrown: check {@link ExecResult#succeeded()}.
   *
   * @throws IllegalStateException if the node has been stopped, or rabbitmqctl does not finish
   */
  public ExecResult rabbitmqctl(String... args) {
    requireNonNull(args, "args == null");
    if (stopped.get()) {
      throw new IllegalStateException("node " + nodeName + " has been stopped");
    }
    return ctl(args);
  }

  /**
   * Stops the node's Erlang VM as an operator would, {@code rabbitmqctl stop} (killed if still
   * alive after 30 s), but keeps its directory: {@link #startNode()} brings it back with the same
   * name, ports, data and cluster membership. Its clients lose their connections; cluster peers see
   * it leave at once. A real stop, not {@code stop_app}: a stopped VM is what a failed machine looks
   * like to its peers, while after {@code stop_app} the node stays connected to them.
   *
   * @throws IllegalStateException on the {@linkplain #shared() shared} node, or after {@link #close()}
   */
  public synchronized void stopNode() {
    requireRestartable();
    Process current = process;
    try {
      if (current.isAlive()) {
        ctl("stop"); // a non-zero exit (already stopping) leaves the wait below to decide
      }
    } finally {
      awaitExitOrKill(current);
    }
  }

  /**
   * Kills the node's Erlang VM (SIGKILL), keeping its directory: a crash, with no goodbye to its
   * clients or peers (the operating system still resets its sockets). {@link #startNode()} brings
   * it back.
   *
   * @throws IllegalStateException on the {@linkplain #shared() shared} node, or after {@link #close()}
   */
  public synchronized void killNode() {
    requireRestartable();
    Exec.killTree(process);
    awaitExitOrKill(process);
  }

  /**
   * Starts again a node stopped by {@link #stopNode()} or {@link #killNode()}, and returns once it
   * accepts an authenticated AMQP connection (within the builder's start timeout). A cluster member
   * rejoins its cluster by itself.
   *
   * @throws IllegalStateException if the node is running, has been closed, or does not come up in
   *     time (it is then killed; its directory stays until {@link #close()})
   */
  public synchronized void startNode() {
    requireRestartable();
    if (process.isAlive()) {
      throw new IllegalStateException("node " + nodeName + " is running");
    }
    try {
      process = Builder.launch(installation, files, distributionPort);
      awaitReady(startTimeout);
    } catch (IOException | RuntimeException e) {
      Exec.killTree(process);
      throw new IllegalStateException("RabbitMQ node " + nodeName + " did not start again: " + e.getMessage()
          + "; its log: " + files.nodeLog(), e);
    }
  }

  private void requireRestartable() {
    if (isShared || stopped.get()) {
      throw new IllegalStateException(isShared
          ? "the shared node cannot be stopped or started" : "node " + nodeName + " has been closed");
    }
  }

  /**
   * Stops this node and only this node: {@code rabbitmqctl stop}, then, if its processes are still
   * alive after 30 s, kills them; then deletes its directory. Does nothing on the
   * {@linkplain #shared() shared} node or when already stopped.
   */
  @Override
  public void close() {
    if (!isShared) {
      stop();
    }
  }

  @Override
  public String toString() {
    return "RabbitMqBroker[" + nodeName + ", " + uri() + (stopped.get() ? ", stopped]" : "]");
  }

  private void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    if (Thread.currentThread() != stopAtExit) {
      try {
        Runtime.getRuntime().removeShutdownHook(stopAtExit);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down: the hook is running or about to, and finds us stopped.
      }
    }
    try {
      if (process.isAlive()) {
        try {
          ctl("stop");
        } catch (RuntimeException e) {
          // The graceful way failed (rabbitmqctl hung or could not run): the kill below still stops it.
        }
      }
      awaitExitOrKill(process);
    } finally {
      files.delete();
    }
  }

  private ExecResult ctl(String... args) {
    List<String> command = new ArrayList<>(List.of(installation.ctl().toString(), "-n", nodeName));
    command.addAll(List.of(args));
    return Exec.run(command, files.environment(), files.root(), CTL_TIMEOUT);
  }

  private static void awaitExitOrKill(Process process) {
    try {
      if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        Exec.killTree(process);
        process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      Exec.killTree(process);
    }
  }

  /** Configures and starts a node. Not thread-safe; {@link #start()} may be called more than once. */
  public static final class Builder {
    private final List<String> config = new ArrayList<>();
    private String advancedConfig;
    private Duration startTimeout = DEFAULT_START_TIMEOUT;
    private boolean shared;
    private String cookie;
    private String password;

    private Builder() {}

    /**
     * The Erlang cookie, instead of a random one: nodes that are to form a cluster need the same.
     * Letters and digits only.
     */
    public Builder erlangCookie(String cookie) {
      this.cookie = requireAlphanumeric(cookie, "cookie");
      return this;
    }

    /**
     * The password of {@link #username()}, instead of a random one: cluster members share their
     * users, so each must be seeded with the same. Letters and digits only.
     */
    public Builder password(String password) {
      this.password = requireAlphanumeric(password, "password");
      return this;
    }

    private static String requireAlphanumeric(String value, String name) {
      requireNonNull(value, name + " == null");
      // Written unquoted into rabbitmq.conf and the cookie file.
      if (!value.matches("[A-Za-z0-9]{8,255}")) {
        throw new IllegalArgumentException(name + " must be 8 to 255 letters and digits");
      }
      return value;
    }

    /**
     * Appends one line, in {@code rabbitmq.conf} syntax, after the launcher's own lines; e.g.
     * {@code "consumer_timeout = 5000"}.
     */
    public Builder config(String line) {
      requireNonNull(line, "line == null");
      if (line.contains("\n") || line.contains("\r")) {
        throw new IllegalArgumentException("one line per call: " + line);
      }
      config.add(line);
      return this;
    }

    /** Appends each of {@code lines}; see {@link #config(String)}. */
    public Builder config(List<String> lines) {
      requireNonNull(lines, "lines == null");
      lines.forEach(this::config);
      return this;
    }

    /**
     * Erlang terms for {@code advanced.config}, for settings {@code rabbitmq.conf} cannot express;
     * e.g. {@code "[{rabbit, [{channel_tick_interval, 1000}]}]."}.
     */
    public Builder advancedConfig(String erlangTerms) {
      this.advancedConfig = requireNonNull(erlangTerms, "erlangTerms == null");
      return this;
    }

    /** How long to wait for the node to accept an authenticated connection; 90 s by default. */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Durations.positive(timeout, "timeout");
      return this;
    }

    /**
     * Starts the node and returns once it accepts an AMQP connection with {@link #username()} and
     * {@link #password()}.
     *
     * @throws IllegalStateException if RabbitMQ is not installed, or the node does not come up in
     *     time (the message holds the tail of its logs; the node is killed, its directory deleted)
     */
    public RabbitMqBroker start() {
      RabbitMqInstallation installation = RabbitMqInstallation.find();
      String nodeName = "warren-" + HexFormat.of().formatHex(randomBytes(4)) + "@localhost";
      String password = this.password != null ? this.password : randomAlphanumeric(24);
      int[] ports = LoopbackPorts.free(2); // the node binds them right after
      NodeFiles files = NodeFiles.create(nodeName);
      Process process = null;
      RabbitMqBroker broker = null;
      try {
        files.writeConfig(confLines(ports[0], password));
        files.writeCookie(cookie != null ? cookie : randomAlphanumeric(32));
        if (advancedConfig != null) {
          files.writeAdvancedConfig(advancedConfig);
        }
        process = launch(installation, files, ports[1]);
        broker = new RabbitMqBroker(
            this, installation, files, nodeName, ports, password, process);
        Runtime.getRuntime().addShutdownHook(broker.stopAtExit);
        broker.awaitReady(startTimeout);
        return broker;
      } catch (IOException | RuntimeException e) {
        if (broker != null) {
          try {
            Runtime.getRuntime().removeShutdownHook(broker.stopAtExit);
          } catch (IllegalStateException shuttingDown) {
            // The hook stops the process anyway.
          }
        }
        Exec.killTree(process);
        String logs = "--- " + files.consoleLog().getFileName() + " ---\n"
            + NodeFiles.excerpt(files.consoleLog(), 15, 15)
            + "\n--- " + files.nodeLog().getFileName() + " ---\n"
            + NodeFiles.excerpt(files.nodeLog(), 0, 40);
        try {
          files.delete();
        } catch (UncheckedIOException deleteFailure) {
          e.addSuppressed(deleteFailure);
        }
        throw new IllegalStateException(
            "RabbitMQ node " + nodeName + " did not start: " + e.getMessage() + "\n" + logs, e);
      }
    }

    private List<String> confLines(int amqpPort, String password) {
      List<String> lines = new ArrayList<>(List.of(
          "listeners.tcp.default = " + HOST + ":" + amqpPort,
          "default_user = " + USERNAME,
          "default_pass = " + password,
          // Tests connect through 127.0.0.1 only, but as a real user, not as guest.
          "loopback_users = none"));
      lines.addAll(config);
      return lines;
    }

    private static Process launch(RabbitMqInstallation installation, NodeFiles files, int distributionPort)
        throws IOException {
      ProcessBuilder builder = new ProcessBuilder(installation.server().toString())
          .directory(files.root().toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectErrorStream(true)
          // A file, not a pipe: epmd, started by the node and outliving it, would hold a pipe open.
          .redirectOutput(files.consoleLog().toFile());
      Map<String, String> env = builder.environment();
      // Nothing from the caller's environment may point this node at another node's files or name.
      env.keySet().removeIf(name -> name.startsWith("RABBITMQ_") || name.startsWith("ERL_"));
      env.putAll(files.serverEnvironment());
      env.put("RABBITMQ_DIST_PORT", Integer.toString(distributionPort));
      // Distribution and epmd (if this node starts it) listen on loopback only.
      env.put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}");
      env.put("ERL_EPMD_ADDRESS", HOST);
      return builder.start();
    }
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    ConnectionFactory factory = connectionFactory();
    factory.setConnectionTimeout(2_000);
    factory.setAutomaticRecoveryEnabled(false);
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the server exited with status " + process.exitValue());
      }
      try {
        // Open and close: the node is ready when a real client with the real credentials gets in.
        factory.newConnection("warren-rabbitmq-launcher").close();
        return;
      } catch (IOException | TimeoutException e) {
        last = e; // not listening yet, or listening before the default user exists
      }
      sleep(Duration.ofMillis(200));
    }
    throw new IllegalStateException("no authenticated AMQP connection to port " + port + " within "
        + timeout + (last == null ? "" : "; last attempt: " + last));
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for RabbitMQ", e);
    }
  }

  private static byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  static String randomAlphanumeric(int length) { // also RabbitMqCluster's cookie and password
    // Letters and digits only: safe unquoted in rabbitmq.conf and in an Erlang cookie file.
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    return RANDOM.ints(length, 0, alphabet.length())
        .mapToObj(i -> String.valueOf(alphabet.charAt(i)))
        .collect(Collectors.joining());
  }
}
