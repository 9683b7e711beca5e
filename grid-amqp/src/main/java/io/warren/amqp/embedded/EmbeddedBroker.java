package io.warren.amqp.embedded;

import io.warren.grid.spi.BrokerEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.qpid.server.SystemLauncher;

/**
 * An Apache Qpid Broker-J (AMQP 0-9-1) running inside this JVM: a private, in-memory broker on a
 * free loopback port, for demos and tests that must not depend on an installed RabbitMQ.
 *
 * <pre>{@code
 * try (EmbeddedBroker broker = EmbeddedBroker.start()) {
 *   ConnectionFactory factory = new ConnectionFactory();
 *   factory.setUri(broker.uri());                 // amqp://127.0.0.1:PORT — no credentials in it
 *   factory.setUsername(broker.username());
 *   factory.setPassword(broker.password());
 *   try (Connection connection = factory.newConnection()) {
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p><b>Virtual host.</b> The broker has one in-memory virtual host, named {@code default}, and it
 * is the broker's default virtual host. Qpid strips one leading {@code '/'} from the name a client
 * asks for and maps the empty name to the default virtual host, so every usual spelling reaches it:
 * {@code amqp://127.0.0.1:PORT/} (amqp-client sends {@code ""}), {@code amqp://127.0.0.1:PORT} and
 * {@code amqp://127.0.0.1:PORT/%2F} (both send {@code "/"}), and {@code amqp://127.0.0.1:PORT/default}
 * by name. Any other name is refused ("Unknown virtual host", 404). {@link #uri()} has no path
 * because that spelling also works on RabbitMQ, whose default virtual host is {@code /}: there
 * {@code amqp://host:port/} fails ("vhost  not found", as amqp-client asks for {@code ""}).
 *
 * <p><b>What it is not.</b> Qpid is not RabbitMQ: no direct reply-to, no server-sent consumer
 * cancel, {@code x-} queue arguments close the connection, {@code expiration} is read as an
 * absolute time. Code that must run on both reads the server properties and falls back.
 *
 * <p><b>Resources.</b> Each start generates a fresh random password, writes the initial
 * configuration into a private temporary directory (deleted as soon as the broker has read it; the
 * directory itself on {@link #close()}) and keeps every message and all configuration in memory.
 * The password is never logged and is not part of {@link #toString()}. The Qpid Broker-J jars
 * ({@code qpid-broker-core}, {@code qpid-broker-plugins-amqp-0-8-protocol},
 * {@code qpid-broker-plugins-memory-store}) are optional dependencies of grid-amqp: add them to use
 * this class.
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class EmbeddedBroker implements AutoCloseable {
  private static final String USERNAME = "warren";
  private static final String HOST = "127.0.0.1";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SystemLauncher launcher;
  private final Path workDirectory;
  private final int port;
  private final String password;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedBroker(SystemLauncher launcher, Path workDirectory, int port, String password) {
    this.launcher = launcher;
    this.workDirectory = workDirectory;
    this.port = port;
    this.password = password;
  }

  /**
   * Starts a new broker (about 1.5 s the first time in a JVM, less afterwards).
   *
   * @throws IllegalStateException if Qpid Broker-J is not on the class path or the broker does not
   *     start; the message says why
   */
  public static EmbeddedBroker start() {
    requireQpidOnClassPath();
    String password = randomPassword();
    Path workDirectory = null;
    SystemLauncher launcher = null;
    try {
      workDirectory = createPrivateDirectory();
      Path config = workDirectory.resolve("initial-config.json");
      Files.writeString(config, new InitialConfig(USERNAME, password).toJson());
      StartupListener listener = new StartupListener();
      launcher = new SystemLauncher(listener);
      launcher.startup(systemAttributes(config, workDirectory));
      // The configuration store is in memory: Qpid never reads the file again, and the password
      // should not stay on disk longer than needed.
      Files.delete(config);
      // The directory is empty while the broker runs: if the JVM exits without close(), this removes it.
      workDirectory.toFile().deleteOnExit();
      int port = listener.boundAmqpPort();
      return new EmbeddedBroker(launcher, workDirectory, port, password);
    } catch (Exception | LinkageError e) {
      stopQuietly(launcher, e);
      deleteQuietly(workDirectory, e);
      throw new IllegalStateException("embedded Qpid broker did not start: " + e, e);
    }
  }

  /**
   * {@code amqp://127.0.0.1:PORT}: the default virtual host (no path), without credentials; pair it
   * with {@link #username()} and {@link #password()}.
   */
  public URI uri() {
    return URI.create("amqp://" + HOST + ":" + port);
  }

  /** Where and as whom to connect: {@link #uri()} as the broker's one user. */
  public BrokerEndpoint endpoint() {
    return new BrokerEndpoint(uri(), USERNAME, password);
  }

  /** The one user the broker knows: {@code warren}. */
  public String username() {
    return USERNAME;
  }

  /** The user's password, random for every start. Keep it out of logs. */
  public String password() {
    return password;
  }

  /** The loopback TCP port the broker accepts AMQP 0-9-1 connections on. */
  public int port() {
    return port;
  }

  /**
   * Stops the broker, closing every connection to it, frees its port and deletes its temporary
   * directory. Later calls do nothing.
   *
   * @throws UncheckedIOException if the temporary directory cannot be deleted (the broker is stopped)
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      launcher.shutdown();
    } finally {
      deleteRecursively(workDirectory);
    }
  }

  @Override
  public String toString() {
    return "EmbeddedBroker[" + uri() + ", user " + USERNAME + (closed.get() ? ", closed]" : "]");
  }

  private static Map<String, Object> systemAttributes(Path config, Path workDirectory) {
    return Map.of(
        // The system configuration store lives in memory: nothing persistent is written.
        "type", "Memory",
        "initialConfigurationLocation", config.toUri().toString(),
        "startupLoggedToSystemOut", false,
        // The default preference store is a JSON file in the work directory; it is not needed.
        "preferenceStoreAttributes", Map.of("type", "Noop"),
        // Qpid's default work directory is ${user.dir}/work: keep anything it writes in our directory.
        "context", Map.of("qpid.work_dir", workDirectory.toString(), "QPID_WORK", workDirectory.toString()));
  }

  private static void requireQpidOnClassPath() {
    try {
      Class.forName("org.apache.qpid.server.SystemLauncher", false, EmbeddedBroker.class.getClassLoader());
      Class.forName("org.apache.qpid.server.protocol.v0_8.ProtocolEngineCreator_0_9_1", false,
          EmbeddedBroker.class.getClassLoader());
      Class.forName("org.apache.qpid.server.virtualhostnode.memory.MemoryVirtualHostNode", false,
          EmbeddedBroker.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("the embedded broker needs Qpid Broker-J on the class path: add "
          + "org.apache.qpid:qpid-broker-core, qpid-broker-plugins-amqp-0-8-protocol and "
          + "qpid-broker-plugins-memory-store (missing " + e.getMessage() + ")", e);
    }
  }

  private static String randomPassword() {
    byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    // URL-safe Base64 without padding: only [A-Za-z0-9_-], nothing Qpid or JSON would interpret.
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static Path createPrivateDirectory() throws IOException {
    // The initial configuration holds the password: only this user may read it.
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return Files.createTempDirectory("warren-qpid-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    return Files.createTempDirectory("warren-qpid-");
  }

  private static void stopQuietly(SystemLauncher launcher, Throwable failure) {
    if (launcher != null) {
      try {
        launcher.shutdown();
      } catch (RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
  }

  private static void deleteQuietly(Path directory, Throwable failure) {
    if (directory != null) {
      try {
        deleteRecursively(directory);
      } catch (UncheckedIOException e) {
        failure.addSuppressed(e);
      }
    }
  }

  private static void deleteRecursively(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + directory, e);
    }
  }
}
