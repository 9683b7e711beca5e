package io.warren.ssh;

import static java.util.Objects.requireNonNull;

import com.jcraft.jsch.ConfigRepository;
import com.jcraft.jsch.OpenSSHConfig;
import io.warren.grid.spi.BrokerEndpoint;
import io.warren.grid.spi.Durations;
import io.warren.grid.spi.ProvisionedWorkers;
import io.warren.grid.spi.Provisioner;
import io.warren.ssh.HostFailure.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts worker runtimes on SSH hosts: copies the worker runtime and the application to each host
 * (only changed files, by content hash), then starts one worker JVM per host with the host's slots.
 *
 * <pre>{@code
 * try (Grid grid = Grid.builder()
 *     .broker(URI.create("amqp://broker.lab:5672")).credentials(user, password)
 *     .workers(SshFarm.builder()
 *         .inventory(HostInventory.load(Path.of("hosts.yaml")))
 *         .ship(Shipment.ofFiles(List.of(Path.of("target/app.jar"))))
 *         .build())
 *     .build()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Hosts are handled in parallel (at most {@link Builder#parallelism} at once). A host that fails —
 * unreachable, unknown or changed host key, refused key, no java, work dir not writable, a worker
 * that exits or stays silent — is reported as a {@link HostFailure} and left out; the grid starts
 * if at least {@link HostInventory#minHosts()} hosts came up, else {@link #start} (or the grid's
 * build) throws {@link FarmProvisioningException} naming every failed host.
 *
 * <p>Broker credentials reach the hosts in a file of mode 600, written through the SSH session's
 * stdin; they appear in no command line and no log. Workers run attached to their SSH session: if
 * this JVM exits or dies, the sessions end, the workers see end-of-file on stdin, drain and exit.
 */
public final class SshFarm implements Provisioner {
  private static final Logger log = LoggerFactory.getLogger(SshFarm.class);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern JAVA_VERSION = Pattern.compile("version \"(\\d+)(?:\\.(\\d+))?");
  private static final int MIN_JAVA = 17;

  private final HostInventory inventory;
  private final Shipment application;
  private final List<Path> runtimeOverride;
  private final Path sshConfig;
  private final int parallelism;
  private final Duration heartbeatInterval;
  private final Duration stopGrace;
  private final boolean cleanWorkDir;
  private final ShipProgress progress;
  private final List<String> workerArguments;
  private final boolean detached;

  private SshFarm(Builder b) {
    this.inventory = b.inventory;
    this.application = b.application;
    this.runtimeOverride = b.runtime;
    this.sshConfig = b.sshConfig;
    this.parallelism = b.parallelism;
    this.heartbeatInterval = b.heartbeatInterval;
    this.stopGrace = b.stopGrace;
    this.cleanWorkDir = b.cleanWorkDir;
    this.progress = b.progress;
    this.workerArguments = b.workerArguments;
    this.detached = b.detached;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Provisions every host and starts its worker; returns once each worker process runs (the grid
   * then waits for their heartbeats).
   *
   * @throws FarmProvisioningException if fewer than {@code minHosts} hosts could be started
   */
  @Override
  public FarmWorkers start(BrokerEndpoint broker) {
    requireNonNull(broker, "broker == null");
    WorkerRuntimeFiles.Runtime runtime =
        runtimeOverride == null ? WorkerRuntimeFiles.locate() : WorkerRuntimeFiles.of(runtimeOverride);
    List<ShipFile> files = new ArrayList<>();
    List<String> classPath = new ArrayList<>();
    List<String> appFiles = new ArrayList<>();
    runtime.files().resolve().forEach(f -> files.add(under(RemotePaths.RUNTIME, f)));
    runtime.classPath().forEach(entry -> classPath.add(RemotePaths.RUNTIME + "/" + entry));
    for (ShipFile f : application.resolve()) {
      files.add(under(RemotePaths.APP, f));
      appFiles.add(f.remotePath());
      if (f.remotePath().endsWith(".jar")) {
        classPath.add(RemotePaths.APP + "/" + f.remotePath());
      }
    }
    String farmId = UUID.randomUUID().toString().substring(0, 6);
    SharedShipments shared = new SharedShipments();
    ConfigRepository sshConfig = sshConfigRepository();
    OnEveryHost.HostResults<HostWorker> results = onEveryHost("provisioning the farm",
        host -> provision(host, workerId(host, farmId), broker, files, classPath, appFiles, shared, sshConfig));
    results.failed().forEach(failure -> log.warn("host left out: {}", failure.describe()));
    if (results.done().size() < inventory.minHosts()) {
      OnEveryHost.eachWorker("stopping the started workers", results.done(), HostWorker::kill);
      throw new FarmProvisioningException(inventory.minHosts(), results.done().size(), results.failed());
    }
    return new FarmWorkers(results.done(), results.failed(), inventory.minHosts(), stopGrace, cleanWorkDir);
  }

  /** Runs {@code task} on every host, at most {@code parallelism} at once, and waits for all of them. */
  private <T> OnEveryHost.HostResults<T> onEveryHost(String what, OnEveryHost.HostTask<HostSpec, T> task) {
    return OnEveryHost.run(what, inventory.hosts(), HostSpec::name, parallelism, task);
  }

  private HostWorker provision(HostSpec host, String workerId, BrokerEndpoint broker, List<ShipFile> files,
      List<String> classPath, List<String> appFiles, SharedShipments shared, ConfigRepository sshConfig)
      throws HostException {
    long began = System.nanoTime();
    SshConnection connection = SshConnection.open(host, sshConfig);
    try {
      log.debug("{}: connected in {} ms", host.name(), (System.nanoTime() - began) / 1_000_000);
      int cpus = probe(connection);
      log.debug("{}: probed in {} ms ({} cpus)", host.name(), (System.nanoTime() - began) / 1_000_000, cpus);
      int slots = host.slots() > 0 ? host.slots() : cpus;
      ShipReport shipped = host.sharedWorkDir()
          ? shared.ship(connection, files, progress)
          : FileShipper.ship(connection, files, progress);
      log.info("{}: {} of {} files copied ({} bytes) in {} ms", host.name(), shipped.filesCopied(), shipped.files(),
          shipped.bytesCopied(), shipped.took().toMillis());
      writePrivate(connection, WorkerLaunch.credentialsPath(workerId), WorkerLaunch.credentials(broker));
      // Loose classes and resources: through links to this shipment's files only, never app/ itself,
      // where files an earlier shipment left behind stay.
      RemoteResult linked = connection.exec(WorkerLaunch.runScript(host),
          WorkerLaunch.appView(workerId, appFiles).getBytes(StandardCharsets.UTF_8), PROBE_TIMEOUT);
      if (!linked.ok()) {
        throw new HostException(new HostFailure(host.name(), Reason.SHIP_FAILED,
            "cannot link the shipped files under " + WorkerLaunch.appViewPath(workerId) + ": " + linked.diagnostics(), ""));
      }
      List<String> workerClassPath = new ArrayList<>(classPath);
      workerClassPath.add(WorkerLaunch.appViewPath(workerId));
      String argfile = WorkerLaunch.argfile(host, workerId, slots, workerClassPath, broker, heartbeatInterval,
          !detached, workerArguments);
      writePrivate(connection, WorkerLaunch.argfilePath(workerId), argfile.getBytes(StandardCharsets.UTF_8));
      if (detached) {
        RemoteResult started = connection.exec(WorkerLaunch.start(host, workerId, false), new byte[0], PROBE_TIMEOUT);
        if (!started.ok()) {
          throw new HostException(new HostFailure(host.name(), Reason.START_FAILED, started.diagnostics(), ""));
        }
        return new HostWorker(host, workerId, slots, shipped, connection, null);
      }
      SshConnection.Attached attached = connection.startAttached(WorkerLaunch.start(host, workerId, true));
      return new HostWorker(host, workerId, slots, shipped, connection, attached);
    } catch (HostException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /**
   * Stops every worker this inventory's hosts run from detached farms ({@code warren down}): each
   * worker found by its pid file under {@code <workDir>/run} gets {@code TERM} (it drains), and
   * {@code KILL} if still alive after {@code grace}; its credentials, pid and argument files and its
   * links to the application are removed. Hosts are handled in parallel; returns the hosts that could not be reached or cleaned.
   */
  public List<HostFailure> stopDetached(Duration grace) {
    Durations.notNegative(grace, "grace");
    ConfigRepository sshConfig = sshConfigRepository();
    return onEveryHost("stopping the farm", host -> {
      try (SshConnection connection = SshConnection.open(host, sshConfig)) {
        RemoteResult result = connection.exec(WorkerLaunch.stopAll(host, grace), new byte[0], grace.plusSeconds(30));
        if (!result.ok()) {
          throw new HostException(new HostFailure(host.name(), Reason.SSH_ERROR, "stopping failed: " + result.diagnostics(), ""));
        }
        if (cleanWorkDir && !host.sharedWorkDir()) {
          connection.exec(WorkerLaunch.removeWorkDir(host), new byte[0], PROBE_TIMEOUT);
        }
        return host;
      }
    }).failed();
  }

  /** Checks java and the work dir; returns the host's CPU count. */
  private static int probe(SshConnection connection) throws HostException {
    HostSpec host = connection.spec();
    RemoteResult result = connection.exec(WorkerLaunch.probe(host), new byte[0], PROBE_TIMEOUT);
    if (result.exitCode() == WorkerLaunch.EXIT_NO_WORK_DIR) {
      throw new HostException(new HostFailure(host.name(), Reason.WORK_DIR_NOT_WRITABLE,
          "cannot create or enter the work dir " + host.workDir(), ""));
    }
    int cpus = 1;
    int javaExit = -1;
    StringBuilder javaOutput = new StringBuilder();
    for (String line : result.stdout().split("\n")) {
      if (line.startsWith("warren-cpus=")) {
        cpus = parsePositive(line.substring("warren-cpus=".length()), 1);
      } else if (line.startsWith("warren-java-exit=")) {
        javaExit = parsePositive(line.substring("warren-java-exit=".length()), -1);
      } else {
        javaOutput.append(line).append('\n');
      }
    }
    String output = javaOutput.toString().strip();
    if (javaExit != 0) {
      throw new HostException(new HostFailure(host.name(), Reason.JAVA_MISSING,
          "'" + host.javaCommand() + " -version' failed" + (output.isEmpty() ? "" : ": " + output), ""));
    }
    Matcher version = JAVA_VERSION.matcher(output);
    if (version.find()) {
      int major = Integer.parseInt(version.group(1));
      if (major == 1 && version.group(2) != null) {
        major = Integer.parseInt(version.group(2)); // "1.8.0_x"
      }
      if (major < MIN_JAVA) {
        throw new HostException(new HostFailure(host.name(), Reason.JAVA_MISSING,
            "'" + host.javaCommand() + "' is Java " + major + "; workers need Java " + MIN_JAVA + " or later", ""));
      }
    }
    return cpus;
  }

  private static int parsePositive(String text, int fallback) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static void writePrivate(SshConnection connection, String path, byte[] content) throws HostException {
    RemoteResult result = connection.exec(WorkerLaunch.writePrivateFile(connection.spec(), path), content, PROBE_TIMEOUT);
    if (!result.ok()) {
      throw new HostException(new HostFailure(connection.spec().name(), Reason.WORK_DIR_NOT_WRITABLE,
          "cannot write " + path + ": " + result.diagnostics(), ""));
    }
  }

  /** The parsed ssh config, once per provisioning (not once per host), or null. */
  private ConfigRepository sshConfigRepository() {
    if (sshConfig == null || !Files.isReadable(sshConfig)) {
      return null;
    }
    try {
      return OpenSSHConfig.parseFile(sshConfig.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + sshConfig, e);
    }
  }

  private static ShipFile under(String dir, ShipFile file) {
    return new ShipFile(dir + "/" + file.remotePath(), file.source(), file.size(), file.sha256());
  }

  private static String workerId(HostSpec host, String farmId) {
    return WorkerLaunch.workerIdPrefix(host) + farmId;
  }

  /** Whether {@code workerId} names a worker a farm started on {@code host} (ssh-NAME-FARM). */
  public static boolean isWorkerOf(HostSpec host, String workerId) {
    String prefix = WorkerLaunch.workerIdPrefix(host);
    return workerId.startsWith(prefix) && workerId.indexOf('-', prefix.length()) < 0;
  }

  /**
   * Hosts that share one work dir: the first of them to get here copies the files, the others wait
   * for it and copy nothing.
   */
  private static final class SharedShipments {
    private final Map<String, CompletableFuture<ShipReport>> byWorkDir = new ConcurrentHashMap<>();

    ShipReport ship(SshConnection connection, List<ShipFile> files, ShipProgress progress) throws HostException {
      HostSpec host = connection.spec();
      CompletableFuture<ShipReport> mine = new CompletableFuture<>();
      CompletableFuture<ShipReport> first = byWorkDir.putIfAbsent(host.workDir(), mine);
      if (first == null) {
        try {
          ShipReport report = FileShipper.ship(connection, files, progress);
          mine.complete(report);
          return report;
        } catch (HostException | RuntimeException e) {
          mine.completeExceptionally(e);
          throw e;
        }
      }
      try {
        ShipReport filler = first.get();
        return new ShipReport(host.name(), files.size(), 0, 0, filler.host(), Duration.ZERO);
      } catch (ExecutionException e) {
        throw new HostException(new HostFailure(host.name(), Reason.SHIP_FAILED,
            "the shared work dir " + host.workDir() + " could not be filled: " + e.getCause().getMessage(), ""));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HostException(new HostFailure(host.name(), Reason.SHIP_FAILED, "interrupted", ""), e);
      }
    }
  }

  /** Builds an {@link SshFarm}. */
  public static final class Builder {
    private HostInventory inventory;
    private Shipment application = Shipment.builder().build();
    private List<Path> runtime;
    private Path sshConfig = Path.of(System.getProperty("user.home"), ".ssh", "config");
    private int parallelism = 8;
    private Duration heartbeatInterval = Duration.ofSeconds(1);
    private Duration stopGrace = Duration.ofSeconds(30);
    private boolean cleanWorkDir;
    private ShipProgress progress = ShipProgress.NONE;
    private List<String> workerArguments = List.of();
    private boolean detached;

    private Builder() {}

    /** The hosts; required. */
    public Builder inventory(HostInventory inventory) {
      this.inventory = requireNonNull(inventory, "inventory == null");
      return this;
    }

    /** The application's files (jars, resources): shipped to {@code <workDir>/app}, jars put on the class path. */
    public Builder ship(Shipment application) {
      this.application = requireNonNull(application, "application == null");
      return this;
    }

    /**
     * The worker runtime's jars or class directories, in class-path order. Default: found on this
     * JVM's class path (io.warren:worker-runtime and its dependencies).
     */
    public Builder runtime(List<Path> locations) {
      this.runtime = List.copyOf(locations);
      return this;
    }

    /** The OpenSSH client config that resolves host aliases; default {@code ~/.ssh/config} if present. */
    public Builder sshConfig(Path file) {
      this.sshConfig = file;
      return this;
    }

    /** How many hosts are provisioned at once; default 8. */
    public Builder parallelism(int hosts) {
      if (hosts < 1) {
        throw new IllegalArgumentException("parallelism must be >= 1, was " + hosts);
      }
      this.parallelism = hosts;
      return this;
    }

    /** How often workers heartbeat, at least 50 ms; three missed heartbeats mark a worker lost. Default 1 s. */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = Durations.atLeast(interval, Provisioner.MIN_HEARTBEAT_INTERVAL, "heartbeatInterval");
      return this;
    }

    /** How long stopping waits for workers to drain before killing them; default 30 s. */
    public Builder stopGrace(Duration grace) {
      this.stopGrace = Durations.notNegative(grace, "stopGrace");
      return this;
    }

    /** Whether stopping also deletes each host's work dir (never a shared one); default false. */
    public Builder cleanWorkDir(boolean clean) {
      this.cleanWorkDir = clean;
      return this;
    }

    /** Hears copy progress per host, e.g. for a progress bar. */
    public Builder progress(ShipProgress progress) {
      this.progress = requireNonNull(progress, "progress == null");
      return this;
    }

    /**
     * Whether workers outlive this JVM ({@code warren up}): started in the background with nohup
     * instead of attached to the SSH session, stopped later by {@link SshFarm#stopDetached} or
     * through the broker. Default false: workers end with the client.
     */
    public Builder detached(boolean detached) {
      this.detached = detached;
      return this;
    }

    /** Extra worker options (see the worker runtime's {@code WorkerOptions}); never credentials. */
    public Builder workerArguments(List<String> arguments) {
      this.workerArguments = List.copyOf(arguments);
      return this;
    }

    public SshFarm build() {
      if (inventory == null) {
        throw new IllegalStateException("inventory(...) is required");
      }
      return new SshFarm(this);
    }
  }
}
