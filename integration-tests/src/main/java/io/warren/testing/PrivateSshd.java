package io.warren.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.warren.ssh.HostSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A private OpenSSH server from the machine's installed {@code sshd} (Debian's
 * {@code openssh-server}), for benchmarks and tests that need a real SSH host without Docker: its
 * own config, host key, login key, known_hosts and log, all in a temporary directory, on 127.0.0.1
 * and a free port. The login user is the current user ({@code user.name}), root included.
 *
 * <pre>{@code
 * try (PrivateSshd sshd = PrivateSshd.start()) {
 *   HostSpec host = sshd.hostSpec().workDir(sshd.directory().resolve("work").toString()).build();
 *   // strict host-key checking against sshd.knownHostsFile(); login with sshd.identityFile()
 * }                                               // sshd and its sessions stopped, directory deleted
 * }</pre>
 *
 * <p><b>What it starts.</b> {@code /usr/sbin/sshd -D -e -f DIR/sshd_config} as a child of this JVM:
 * only the host key made here (ed25519, by {@code ssh-keygen}), public-key login only, for this user
 * only, against {@code DIR/authorized_keys} (the fresh login key, with {@code restrict}: no
 * forwarding, no pty), no PAM, SFTP in-process ({@code internal-sftp}, unless started with
 * another subsystem). Start-up waits until the port answers with an SSH banner.
 *
 * <p><b>Failure.</b> No {@code sshd} or {@code ssh-keygen}: {@link IllegalStateException} naming
 * {@code scripts/install-test-deps.sh}. sshd exits or does not answer within the start timeout
 * (10 s): {@link IllegalStateException} with the tail of sshd's log; sshd is killed and the
 * directory kept so the named log can be read.
 *
 * <p>Thread-safe. {@link #close()} is idempotent and stops only this sshd and the sessions it
 * forked; a shutdown hook does the same if the JVM exits without closing.
 */
public final class PrivateSshd implements AutoCloseable {
  /** sshd's own SFTP server, in process: no dependence on where the distribution puts sftp-server. */
  private static final String INTERNAL_SFTP = "internal-sftp";
  /** The address sshd listens on: the free port, not the address, keeps one sshd apart from another. */
  public static final String ADDRESS = "127.0.0.1";

  private static final Path SSHD = Path.of("/usr/sbin/sshd");
  /** sshd as root needs its privilege separation directory (an empty chroot), or it refuses to start. */
  private static final Path PRIVSEP_DIR = Path.of("/run/sshd");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  private final Path dir;
  private final int port;
  private final String user;
  private final SshKeyPair userKey;
  private final String serverVersion;
  private final Process process;
  private final AtomicBoolean closed = new AtomicBoolean();
  // Stops sshd if the JVM exits without close(): with -D it would otherwise outlive us.
  private final Thread stopAtExit;

  private PrivateSshd(Path dir, int port, String user, SshKeyPair userKey, String serverVersion, Process process,
      Thread stopAtExit) {
    this.dir = dir;
    this.port = port;
    this.user = user;
    this.userKey = userKey;
    this.serverVersion = serverVersion;
    this.process = process;
    this.stopAtExit = stopAtExit;
  }

  /**
   * Makes the keys and config, starts sshd and returns once it answers.
   *
   * @throws IllegalStateException if sshd or ssh-keygen is missing, or sshd does not answer in time
   */
  public static PrivateSshd start() {
    return start(INTERNAL_SFTP);
  }

  /**
   * As {@link #start()}, with the SFTP subsystem run by {@code command} (run by the login user's
   * shell, as sshd runs any subsystem) instead of sshd's own: for tests of a misbehaving SFTP server.
   */
  public static PrivateSshd startWithSftpSubsystem(String command) {
    return start(command);
  }

  private static PrivateSshd start(String sftpSubsystem) {
    if (!Files.isExecutable(SSHD)) {
      throw new IllegalStateException(SSHD + " not found: install Debian's openssh-server "
          + "(scripts/install-test-deps.sh does)");
    }
    String user = System.getProperty("user.name");
    Path dir;
    try {
      // Owner-only: sshd runs with StrictModes off (see config()), so this mode is what keeps others
      // from planting a key in authorized_keys.
      dir = Files.createTempDirectory("warren-sshd-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      if (isRoot() && !Files.isDirectory(PRIVSEP_DIR)) {
        Files.createDirectories(PRIVSEP_DIR,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare a directory for sshd", e);
    }
    SshKeyPair userKey;
    int port;
    Process process;
    try {
      SshKeyPair hostKey = SshKeyPair.generate(dir, "ssh_host_ed25519_key", "", "warren-private-sshd");
      userKey = SshKeyPair.generate(dir, "id_ed25519", "", user + "@warren-private-sshd");
      port = LoopbackPorts.free(1)[0]; // sshd binds it right after
      Files.writeString(dir.resolve("authorized_keys"), "restrict " + userKey.publicKey() + "\n", UTF_8);
      Files.writeString(dir.resolve("known_hosts"), "[" + ADDRESS + "]:" + port + " " + hostKey.publicKey() + "\n", UTF_8);
      Files.write(dir.resolve("sshd_config"), config(dir, port, user, sftpSubsystem), UTF_8);
      // An absolute path: sshd re-executes itself for every connection and refuses to start otherwise.
      process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("sshd.log").toFile())
          .start();
    } catch (IOException e) {
      TempTrees.delete(dir); // nothing ran yet: no log worth keeping
      throw new UncheckedIOException("cannot start " + SSHD, e);
    } catch (RuntimeException e) {
      TempTrees.delete(dir);
      throw e;
    }
    Thread stopAtExit = new Thread(() -> Exec.killTree(process), "warren-sshd-stop-at-exit");
    Runtime.getRuntime().addShutdownHook(stopAtExit);
    try {
      String version = awaitBanner(process, port, dir.resolve("sshd.log"));
      return new PrivateSshd(dir, port, user, userKey, version, process, stopAtExit);
    } catch (RuntimeException e) {
      Exec.killTree(process);
      Runtime.getRuntime().removeShutdownHook(stopAtExit);
      throw e;
    }
  }

  private static List<String> config(Path dir, int port, String user, String sftpSubsystem) {
    return List.of(
        "ListenAddress " + ADDRESS + ":" + port,
        "HostKey " + dir.resolve("ssh_host_ed25519_key"),
        "PidFile " + dir.resolve("sshd.pid"),
        "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
        // StrictModes checks every directory from authorized_keys up to /, and /tmp is world-writable
        // (sticky): it would refuse every login. The owner-only directory guards the file instead.
        "StrictModes no",
        // PAM would read the system's login policy; a throw-away host needs none of it.
        "UsePAM no",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password", // key only; needed when the harness runs as root (CI does)
        "AllowUsers " + user,
        "AllowTcpForwarding no",
        "X11Forwarding no",
        "PrintMotd no",
        "Subsystem sftp " + sftpSubsystem);
  }

  /** Waits until sshd answers with its banner ("SSH-2.0-OpenSSH_9.2p1 ..."), which it returns. */
  private static String awaitBanner(Process process, int port, Path log) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (!process.isAlive()) {
        throw startFailure("sshd exited with status " + process.exitValue(), log);
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(ADDRESS, port), 1000);
        socket.setSoTimeout(1000);
        String banner = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8)).readLine();
        if (banner != null && banner.startsWith("SSH-")) {
          return banner.strip();
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for sshd", e);
      }
    }
    throw startFailure("sshd did not answer on " + ADDRESS + ":" + port + " within " + START_TIMEOUT.toSeconds() + " s", log);
  }

  private static IllegalStateException startFailure(String what, Path log) {
    String tail;
    try {
      List<String> lines = Files.readAllLines(log, UTF_8);
      tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      tail = "(cannot read it: " + e.getMessage() + ")";
    }
    return new IllegalStateException(what + "; its log, kept at " + log + ", ends:\n" + tail);
  }

  private static boolean isRoot() throws IOException {
    return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
  }

  /** {@link #ADDRESS}. */
  public String address() {
    return ADDRESS;
  }

  /** The port sshd listens on. */
  public int port() {
    return port;
  }

  /** The login user: the user this JVM runs as. */
  public String user() {
    return user;
  }

  /** The login key's private half (unencrypted); deleted by close. */
  public Path identityFile() {
    return userKey.privateKeyFile();
  }

  /** A known_hosts file holding this server's host key, for strict host-key checking. */
  public Path knownHostsFile() {
    return dir.resolve("known_hosts");
  }

  /** sshd's output ({@code -e}: its log goes to stderr). */
  public Path logFile() {
    return dir.resolve("sshd.log");
  }

  /** The server's identification string, e.g. {@code SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3}. */
  public String serverVersion() {
    return serverVersion;
  }

  /**
   * This server's owner-only directory, deleted by close: room for scratch files, such as a remote
   * work dir (the login user is the current user, so both sides can write there).
   */
  public Path directory() {
    return dir;
  }

  /**
   * A host spec that reaches this server: address, port, user, login key and known_hosts, with
   * strict host-key checking. Callers add a work dir and the rest.
   */
  public HostSpec.Builder hostSpec() {
    return HostSpec.builder(ADDRESS).name("private-sshd").port(port).user(user)
        .identityFile(identityFile()).knownHosts(knownHostsFile());
  }

  /** Stops sshd and the sessions it forked, then deletes the directory. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(stopAtExit);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down: the hook kills sshd anyway.
    }
    // Descendants only: the sessions of this sshd, never anyone else's.
    Exec.killTree(process);
    try {
      process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    TempTrees.delete(dir);
  }

  @Override
  public String toString() {
    return "PrivateSshd[" + user + "@" + ADDRESS + ":" + port + ", " + dir + "]";
  }
}
