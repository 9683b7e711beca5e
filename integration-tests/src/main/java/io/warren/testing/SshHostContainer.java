package io.warren.testing;

import static java.util.Objects.requireNonNull;

import io.warren.grid.spi.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * An SSH host for tests: OpenSSH's sshd in a Docker container on the host's network, listening on
 * its own loopback address, with a host key and a login key the test knows, so clients verify the
 * host for real and log in as {@code warren} with a key.
 *
 * <pre>{@code
 * try (SshHostContainer host = SshHostContainer.start("127.0.1.11")) {
 *   Files.writeString(knownHosts, host.knownHostsLine() + "\n");
 *   // ssh -p host.port() -i host.identityFile() -o UserKnownHostsFile=knownHosts
 *   //     -o StrictHostKeyChecking=yes warren@127.0.1.11 java -version
 *   host.exec("pkill", "-f", "worker");          // as root, in the container
 *   host.kill();                                  // the host "crashes"
 * }                                               // container removed, key files deleted
 * }</pre>
 *
 * <p><b>What it starts.</b> The {@linkplain TestImages#sshHost() SSH host image} (Debian bookworm,
 * sshd, JRE 17) with host networking, running {@code sshd -D -e} with
 * {@code ListenAddress=ADDRESS:PORT}, only the host key given here, and password logins off. Both
 * key pairs are made by the machine's {@code ssh-keygen} (ed25519) in a temporary directory: the
 * host key's private half is copied into the container as {@code /etc/ssh/ssh_host_ed25519_key},
 * the login key's public half into {@code /home/warren/.ssh/authorized_keys} (owner {@code warren},
 * modes 700/600). Every loopback address 127.x.y.z reaches the host, so several hosts can use the
 * same port on different addresses. Start-up waits for sshd's "Server listening" line.
 *
 * <p><b>Failure.</b> No Docker engine or no image: {@link IllegalStateException} naming
 * {@code scripts/install-test-deps.sh} (see {@link TestImages}); sshd not listening within the start
 * timeout (30 s by default; e.g. the address and port are taken): {@link IllegalStateException}
 * with sshd's output, the container removed.
 *
 * <p>Thread-safe. {@link #close()} is idempotent and also removes a {@linkplain #kill() killed}
 * container. Ryuk is off on the test machines, so a container is removed only by {@link #close()};
 * one orphaned by a killed JVM is removed by {@code .ci/run}.
 */
public final class SshHostContainer implements AutoCloseable {
  /** The port sshd listens on unless told otherwise; not 22, which the machine may use itself. */
  public static final int DEFAULT_PORT = 2222;
  /** The login user of the image. */
  public static final String USER = "warren";

  private static final String HOST_KEY = "/etc/ssh/ssh_host_ed25519_key";
  private static final String AUTHORIZED_KEYS = "/home/warren/.ssh/authorized_keys";
  private static final Duration EXEC_LIMIT = Duration.ofSeconds(60);

  private final String address;
  private final int port;
  private final Path keyDir;
  private final SshKeyPair hostKey;
  private final SshKeyPair userKey;
  private final String passphrase;
  private final GenericContainer<?> container;
  private final AtomicBoolean closed = new AtomicBoolean();

  private SshHostContainer(Builder builder, Path keyDir, SshKeyPair hostKey, SshKeyPair userKey,
      GenericContainer<?> container) {
    this.address = builder.address;
    this.port = builder.port;
    this.passphrase = builder.passphrase;
    this.keyDir = keyDir;
    this.hostKey = hostKey;
    this.userKey = userKey;
    this.container = container;
  }

  /** Starts a host on {@code address} (a loopback address such as 127.0.1.11), port 2222. */
  public static SshHostContainer start(String address) {
    return builder().address(address).start();
  }

  /** A builder for a host with another port, a login key passphrase or another start timeout. */
  public static Builder builder() {
    return new Builder();
  }

  /** The loopback address sshd listens on, e.g. {@code 127.0.1.11}. */
  public String address() {
    return address;
  }

  /** The port sshd listens on. */
  public int port() {
    return port;
  }

  /** The login user, {@code warren}. */
  public String user() {
    return USER;
  }

  /** The login key's private half (OpenSSH format, mode 600), on this machine; deleted by close. */
  public Path identityFile() {
    return userKey.privateKeyFile();
  }

  /** The passphrase of {@link #identityFile()}, if one was set. */
  public Optional<String> passphrase() {
    return passphrase.isEmpty() ? Optional.empty() : Optional.of(passphrase);
  }

  /**
   * This host's line for a {@code known_hosts} file, e.g.
   * {@code [127.0.1.11]:2222 ssh-ed25519 AAAA...} (without brackets and port on port 22).
   */
  public String knownHostsLine() {
    String host = port == 22 ? address : "[" + address + "]:" + port;
    return host + " " + hostKey.publicKey();
  }

  /** The Docker container's id. */
  public String containerId() {
    return container.getContainerId();
  }

  /**
   * Runs {@code command} as root in the container and waits for it, at most 60 s (then it is
   * killed and the exit code is 124). A non-zero exit code is returned, not thrown.
   *
   * @throws IllegalStateException if the container is not running
   */
  public ExecResult exec(String... command) {
    requireNonNull(command, "command == null");
    if (command.length == 0) {
      throw new IllegalArgumentException("empty command");
    }
    return Containers.exec(container, EXEC_LIMIT, command);
  }

  /**
   * Kills every process of the host at once ({@code docker kill}, SIGKILL), as a crash or power
   * loss would: open SSH sessions and everything they started die without any shutdown. The
   * container stays until {@link #close()}.
   */
  public void kill() {
    Containers.kill(container);
  }

  /** Removes the container (killing it if it runs) and deletes the key files. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        Containers.remove(container);
      } finally {
        TempTrees.delete(keyDir);
      }
    }
  }

  @Override
  public String toString() {
    return "SshHostContainer[" + USER + "@" + address + ":" + port + ", " + containerId() + "]";
  }

  /** Configures and starts a host. Not thread-safe; {@link #start()} may be called more than once. */
  public static final class Builder {
    private String address;
    private int port = DEFAULT_PORT;
    private String passphrase = "";
    private Duration startTimeout = Duration.ofSeconds(30);

    private Builder() {}

    /** The loopback address to listen on, such as {@code 127.0.1.11}. Required. */
    public Builder address(String address) {
      requireNonNull(address, "address == null");
      try {
        // Digits first, so that a host name is refused without a name lookup.
        if (!address.matches("[0-9.]+") || !InetAddress.getByName(address).isLoopbackAddress()) {
          throw new IllegalArgumentException("not an IPv4 loopback address: " + address);
        }
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("not an IPv4 loopback address: " + address, e);
      }
      this.address = address;
      return this;
    }

    /** The port to listen on; 2222 by default. */
    public Builder port(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    /** Encrypts the login key with {@code passphrase}; none (empty) by default. */
    public Builder passphrase(String passphrase) {
      this.passphrase = requireNonNull(passphrase, "passphrase == null");
      return this;
    }

    /** How long to wait for sshd to listen; 30 s by default. */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Durations.positive(timeout, "timeout");
      return this;
    }

    /**
     * Makes the keys, starts the container and returns once sshd listens.
     *
     * @throws IllegalStateException if no address was set, Docker or the image is missing,
     *     ssh-keygen fails, or sshd does not listen in time (the container is removed)
     */
    public SshHostContainer start() {
      if (address == null) {
        throw new IllegalStateException("address(...) is required");
      }
      String image = TestImages.sshHost();
      Path keyDir;
      try {
        keyDir = Files.createTempDirectory("warren-ssh-host-");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a directory for SSH keys", e);
      }
      try {
        SshKeyPair hostKey = SshKeyPair.generate(keyDir, "host_ed25519", "", "warren-test-host@" + address);
        SshKeyPair userKey = SshKeyPair.generate(keyDir, "id_ed25519", passphrase, USER + "@warren-test");
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))
            .withNetworkMode("host")
            .withLabel("io.warren.test", "ssh-host")
            .withCopyToContainer(Transferable.of(hostKey.privateKeyBytes(), 0600), HOST_KEY)
            .withCopyToContainer(Transferable.of(userKey.publicKey() + "\n", 0600), AUTHORIZED_KEYS)
            .withCommand("/bin/sh", "-c", startCommand(address, port))
            .waitingFor(Wait.forLogMessage(".*Server listening on .*", 1).withStartupTimeout(startTimeout));
        Containers.start(container, "SSH host " + address + ":" + port);
        return new SshHostContainer(this, keyDir, hostKey, userKey, container);
      } catch (RuntimeException e) {
        try {
          TempTrees.delete(keyDir);
        } catch (UncheckedIOException deleteFailure) {
          e.addSuppressed(deleteFailure);
        }
        throw e;
      }
    }

    private static String startCommand(String address, int port) {
      // The copied files arrive owned by root; sshd's StrictModes refuses keys others could change.
      return String.join(" && ",
          "chown -R " + USER + ":" + USER + " /home/warren/.ssh",
          "chmod 700 /home/warren/.ssh",
          "chmod 600 " + AUTHORIZED_KEYS + " " + HOST_KEY,
          "mkdir -p /run/sshd",
          "exec /usr/sbin/sshd -D -e"
              + " -o ListenAddress=" + address + ":" + port
              + " -o HostKey=" + HOST_KEY
              + " -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no"
              + " -o AllowUsers=" + USER);
    }
  }
}
