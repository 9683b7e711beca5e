package io.warren.ssh;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.ConfigRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchChangedHostKeyException;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.JSchUnknownHostKeyException;
import com.jcraft.jsch.KeyPair;
import com.jcraft.jsch.Session;
import io.warren.ssh.HostFailure.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One SSH session to one host, opened with the host's settings: host key checked against
 * known_hosts (unless the host opted out), public-key login only. Runs commands with their stdin,
 * so secrets travel as data, never as arguments. Not thread-safe for exec; JSch channels are.
 */
final class SshConnection implements AutoCloseable {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
  private final HostSpec spec;
  private final Session session;
  /** Whether the login shell runs POSIX sh as written ({@link LoginShell}); null until asked, once. */
  private volatile Boolean posixLoginShell;
  /** What the login shell printed ahead of its name when asked ({@link LoginShell#greeting}). */
  private volatile String loginShellGreeting = "";

  private SshConnection(HostSpec spec, Session session) {
    this.spec = spec;
    this.session = session;
  }

  /**
   * Connects and logs in. {@code sshConfig} resolves aliases (HostName, User, Port, IdentityFile)
   * the way {@code ssh} would; settings in the inventory win over it.
   */
  static SshConnection open(HostSpec spec, ConfigRepository sshConfig) throws HostException {
    JSch jsch = new JSch();
    String host = spec.host();
    String user = spec.user();
    int port = spec.port();
    List<Path> identities = new ArrayList<>();
    if (spec.identityFile() != null) {
      identities.add(spec.identityFile());
    }
    ConfigRepository.Config config = sshConfig == null ? null : sshConfig.getConfig(spec.host());
    if (config != null) {
      host = config.getHostname() != null ? config.getHostname() : host;
      user = user != null ? user : config.getUser();
      port = port != 0 ? port : Math.max(0, config.getPort());
      String[] files = config.getValues("IdentityFile");
      if (identities.isEmpty() && files != null) {
        for (String file : files) {
          identities.add(Path.of(file.replaceFirst("^~", System.getProperty("user.home"))));
        }
      }
    }
    if (identities.isEmpty()) {
      for (String name : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
        Path candidate = Path.of(System.getProperty("user.home"), ".ssh", name);
        if (Files.isReadable(candidate)) {
          identities.add(candidate);
        }
      }
    }
    user = user != null ? user : System.getProperty("user.name");
    port = port != 0 ? port : 22;
    List<Path> locked = new ArrayList<>(); // encrypted, no passphrase: JSch skips them at login
    try {
      for (Path identity : identities) {
        if (!Files.isReadable(identity)) {
          throw new HostException(new HostFailure(spec.name(), Reason.IDENTITY_UNUSABLE,
              "identity file " + identity + " cannot be read", ""));
        }
        byte[] passphrase = spec.passphrase() == null ? null : spec.passphrase().getBytes(StandardCharsets.UTF_8);
        if (passphrase == null && isEncrypted(jsch, identity)) {
          locked.add(identity);
        }
        jsch.addIdentity(identity.toString(), passphrase);
      }
      if (spec.hostKeyChecking() == HostKeyChecking.STRICT) {
        if (!Files.isReadable(spec.knownHosts())) {
          throw new HostException(new HostFailure(spec.name(), Reason.HOST_KEY_UNKNOWN,
              "known_hosts file " + spec.knownHosts() + " cannot be read, so the host key cannot be verified", ""));
        }
        jsch.setKnownHosts(spec.knownHosts().toString());
      }
    } catch (JSchException e) {
      // addIdentity fails on an unreadable key or a wrong passphrase; setKnownHosts on a bad file.
      throw new HostException(new HostFailure(spec.name(), Reason.IDENTITY_UNUSABLE, safeMessage(e), ""), e);
    }
    Session session;
    try {
      session = jsch.getSession(user, host, port);
      session.setConfig("StrictHostKeyChecking", spec.hostKeyChecking() == HostKeyChecking.STRICT ? "yes" : "no");
      session.setConfig("PreferredAuthentications", "publickey");
      session.setServerAliveInterval(10_000); // notice a dead host on an idle session
      session.setServerAliveCountMax(3);
      session.connect((int) CONNECT_TIMEOUT.toMillis());
    } catch (JSchException e) {
      throw new HostException(classify(spec, user, host, port, locked, e), e);
    }
    return new SshConnection(spec, session);
  }

  private static boolean isEncrypted(JSch jsch, Path identity) throws JSchException {
    KeyPair key = KeyPair.load(jsch, identity.toString());
    try {
      return key.isEncrypted();
    } finally {
      key.dispose();
    }
  }

  private static HostFailure classify(HostSpec spec, String user, String host, int port, List<Path> locked,
      JSchException e) {
    String where = user + "@" + host + ":" + port;
    Throwable cause = e.getCause();
    Reason reason;
    String detail;
    if (e instanceof JSchChangedHostKeyException) {
      reason = Reason.HOST_KEY_CHANGED;
      detail = "the host key of " + host + ":" + port + " does not match " + spec.knownHosts()
          + " (the host was reinstalled, or someone is in the middle)";
    } else if (e instanceof JSchUnknownHostKeyException) {
      reason = Reason.HOST_KEY_UNKNOWN;
      detail = "the host key of " + host + ":" + port + " is not in " + spec.knownHosts()
          + " (add it with: ssh-keyscan -p " + port + " " + host + " >> " + spec.knownHosts() + ", after checking it)";
    } else if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
        || cause instanceof SocketTimeoutException || cause instanceof UnknownHostException
        || String.valueOf(e.getMessage()).contains("timeout")) {
      reason = Reason.UNREACHABLE;
      detail = "cannot connect to " + host + ":" + port + ": " + (cause != null ? cause.getMessage() : e.getMessage());
    } else if (!locked.isEmpty() && (String.valueOf(e.getMessage()).startsWith("Auth ")
        || "USERAUTH fail".equals(e.getMessage()))) {
      // JSch cannot open these keys without their passphrase; it says "USERAUTH fail" when it stops at one.
      reason = Reason.IDENTITY_UNUSABLE;
      detail = "identity file " + (locked.size() == 1 ? locked.get(0) : locked) + " is passphrase-protected and"
          + " no passphrase was given (passphraseEnv in the inventory), so the login of " + where + " failed";
    } else if (String.valueOf(e.getMessage()).startsWith("Auth ")) {
      reason = Reason.AUTH_REFUSED;
      detail = "the host refused the login of " + where + " with the given key";
    } else {
      reason = Reason.SSH_ERROR;
      detail = where + ": " + safeMessage(e);
    }
    return new HostFailure(spec.name(), reason, detail, "");
  }

  private static String safeMessage(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /**
   * Runs {@code command}, POSIX sh, through the login shell ({@link LoginShell}) with {@code stdin}
   * as its input and waits for it, at most {@code timeout}.
   */
  RemoteResult exec(String command, byte[] stdin, Duration timeout) throws HostException {
    return execAsWritten(forLoginShell(command), stdin, timeout);
  }

  /**
   * {@code script} as this host's login shell must be given it: as written to a POSIX shell,
   * wrapped for any other. The first call asks the host which shell it is (one more command, once
   * per connection).
   */
  private String forLoginShell(String script) throws HostException {
    Boolean posix = posixLoginShell;
    if (posix == null) {
      RemoteResult probed = execAsWritten(LoginShell.NAME_PROBE, new byte[0], CONNECT_TIMEOUT);
      if (!probed.ok() && !execAsWritten(LoginShell.wrap("true"), new byte[0], CONNECT_TIMEOUT).ok()) {
        // Neither as written nor through /bin/sh: every later command would fail too, and the first
        // to say so would blame what it checks (java, the work dir), not the shell.
        throw new HostException(new HostFailure(spec.name(), Reason.LOGIN_SHELL_UNUSABLE, "the login user's shell runs"
            + " no commands (" + probed.diagnostics() + "): give the user a shell such as /bin/sh; nologin and false"
            + " accept none", ""));
      }
      posix = probed.ok() && LoginShell.runsPosixCommands(probed.stdout());
      loginShellGreeting = LoginShell.greeting(probed.stdout());
      posixLoginShell = posix;
    }
    return posix ? script : LoginShell.wrap(script);
  }

  private RemoteResult execAsWritten(String command, byte[] stdin, Duration timeout) throws HostException {
    ChannelExec channel = null;
    try {
      channel = (ChannelExec) session.openChannel("exec");
      channel.setCommand(command);
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      channel.setErrStream(err, true);
      InputStream out = channel.getInputStream();
      OutputStream in = channel.getOutputStream();
      channel.connect((int) CONNECT_TIMEOUT.toMillis());
      in.write(stdin);
      in.close(); // EOF: the command sees the end of its input
      byte[] stdout = readUntilClosed(out, channel, timeout);
      return new RemoteResult(channel.getExitStatus(), new String(stdout, StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8));
    } catch (JSchException | IOException e) {
      throw new HostException(new HostFailure(spec.name(), Reason.SSH_ERROR,
          "remote command failed: " + safeMessage(e), ""), e);
    } finally {
      if (channel != null) {
        channel.disconnect();
      }
    }
  }

  private byte[] readUntilClosed(InputStream out, ChannelExec channel, Duration timeout) throws IOException, HostException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    while (true) {
      while (out.available() > 0) {
        int n = out.read(chunk);
        if (n < 0) {
          break;
        }
        buffer.write(chunk, 0, n);
      }
      if (channel.isClosed() && out.available() <= 0) {
        return buffer.toByteArray();
      }
      if (System.nanoTime() - deadline > 0) {
        throw new HostException(new HostFailure(spec.name(), Reason.SSH_ERROR,
            "a remote command did not finish within " + timeout.toSeconds() + " s", ""));
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HostException(new HostFailure(spec.name(), Reason.SSH_ERROR, "interrupted", ""), e);
      }
    }
  }

  /**
   * Starts {@code command} and leaves it running with its stdin open: when the returned stream is
   * closed, or this session ends because the client closed it or died, the command's stdin reaches
   * end-of-file.
   */
  Attached startAttached(String command) throws HostException {
    String forShell = forLoginShell(command);
    try {
      ChannelExec channel = (ChannelExec) session.openChannel("exec");
      channel.setCommand(forShell);
      OutputStream stdin = channel.getOutputStream(); // never written: it only has to stay open
      channel.setErrStream(OutputStream.nullOutputStream());
      channel.connect((int) CONNECT_TIMEOUT.toMillis());
      return new Attached(channel, stdin);
    } catch (JSchException | IOException e) {
      throw new HostException(new HostFailure(spec.name(), Reason.SSH_ERROR,
          "cannot start the worker: " + safeMessage(e), ""), e);
    }
  }

  /** A command started by {@link #startAttached}: its channel and the write end of its stdin. */
  record Attached(ChannelExec channel, OutputStream stdin) {
    boolean exited() {
      return channel.isClosed();
    }

    int exitStatus() {
      return channel.getExitStatus();
    }

    /** Closes the command's stdin (a worker started with --exit-on-stdin-eof then drains). */
    void closeStdin() {
      try {
        stdin.close();
      } catch (IOException e) {
        // the channel is gone already: nothing left to tell
      }
    }
  }

  /**
   * An SFTP channel on this session, watched by {@code guard} from before its handshake; the
   * caller disconnects it.
   */
  ChannelSftp sftp(StallGuard guard) throws HostException {
    try {
      ChannelSftp channel = (ChannelSftp) session.openChannel("sftp");
      guard.watch(channel);
      channel.connect((int) CONNECT_TIMEOUT.toMillis());
      return channel;
    } catch (JSchException e) {
      String greeting = loginShellGreeting;
      if (!greeting.isEmpty()) {
        throw new HostException(new HostFailure(spec.name(), Reason.SHIP_FAILED, "SFTP cannot start: the login shell prints \""
            + abbreviate(greeting) + "\" before every command (its rc files, such as ~/.bashrc), and sshd starts the SFTP"
            + " server through it; print only in interactive shells (" + safeMessage(e) + ")", ""), e);
      }
      throw new HostException(new HostFailure(spec.name(), Reason.SHIP_FAILED,
          "the host offers no SFTP: " + safeMessage(e), ""), e);
    }
  }

  private static String abbreviate(String text) {
    String line = text.replace('\n', ' ');
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }

  boolean isConnected() {
    return session.isConnected();
  }

  HostSpec spec() {
    return spec;
  }

  @Override
  public void close() {
    session.disconnect();
  }
}
