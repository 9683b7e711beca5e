package io.warren.worker;

import static java.util.Objects.requireNonNull;

import io.warren.grid.GridUnavailableException;
import io.warren.grid.spi.BrokerEndpoint;
import io.warren.grid.spi.Durations;
import io.warren.grid.spi.ProvisionedWorkers;
import io.warren.grid.spi.Provisioner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Starts worker runtimes as local JVM processes, on the class path of the current JVM by default —
 * the way to run a grid on one machine, and what the embedded demo and the tests use.
 *
 * <pre>{@code
 * Grid grid = Grid.builder()
 *     .broker(uri).credentials(user, password)
 *     .workers(LocalWorkers.builder().count(2).slots(2).build())
 *     .build();
 * }</pre>
 *
 * Credentials reach the workers through their environment, never their command line. Each worker
 * writes its log to {@code <logDirectory>/<worker-id>.log}, and watches its standard input so it
 * drains and exits if this JVM dies without stopping it.
 */
public final class LocalWorkers implements Provisioner {
  private final int count;
  private final int slots;
  private final String javaCommand;
  private final String classPath;
  private final List<String> jvmOptions;
  private final Duration heartbeatInterval;
  private final Duration stopGrace;
  private final Path logDirectory;
  private final List<String> workerArguments;

  private LocalWorkers(Builder builder) {
    this.count = builder.count;
    this.slots = builder.slots;
    this.javaCommand = builder.javaCommand;
    this.classPath = builder.classPath;
    this.jvmOptions = List.copyOf(builder.jvmOptions);
    this.heartbeatInterval = builder.heartbeatInterval;
    this.stopGrace = builder.stopGrace;
    this.logDirectory = builder.logDirectory;
    this.workerArguments = List.copyOf(builder.workerArguments);
  }

  /** A builder with one worker of one slot per CPU. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public ProvisionedWorkers start(BrokerEndpoint broker) {
    requireNonNull(broker, "broker == null");
    Path logs;
    try {
      logs = logDirectory != null ? Files.createDirectories(logDirectory) : Files.createTempDirectory("warren-workers-");
    } catch (IOException e) {
      throw new GridUnavailableException("cannot create the worker log directory: " + e.getMessage(), e);
    }
    String prefix = "local-" + UUID.randomUUID().toString().substring(0, 8);
    List<LocalWorkerProcess> started = new ArrayList<>();
    try {
      for (int i = 1; i <= count; i++) {
        String id = prefix + "-" + i;
        started.add(LocalWorkerProcess.launch(id, command(broker, id), broker, logs.resolve(id + ".log")));
      }
    } catch (IOException e) {
      new LocalWorkerProcesses(started, stopGrace).close();
      throw new GridUnavailableException("cannot start a local worker with '" + javaCommand + "': " + e.getMessage(), e);
    }
    return new LocalWorkerProcesses(started, stopGrace);
  }

  private List<String> command(BrokerEndpoint broker, String id) {
    List<String> command = new ArrayList<>();
    command.add(javaCommand);
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classPath);
    command.add(WorkerMain.class.getName());
    command.addAll(List.of(
        "--broker", broker.uriList(),
        "--worker-id", id,
        "--slots", Integer.toString(slots),
        "--heartbeat-millis", Long.toString(heartbeatInterval.toMillis()),
        "--exit-on-stdin-eof"));
    command.addAll(workerArguments);
    return command;
  }

  /** Builds {@link LocalWorkers}. */
  public static final class Builder {
    private int count = 1;
    private int slots = Runtime.getRuntime().availableProcessors();
    private String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private String classPath = System.getProperty("java.class.path");
    private List<String> jvmOptions = List.of(
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
    private Duration heartbeatInterval = Duration.ofSeconds(1);
    private Duration stopGrace = Duration.ofSeconds(30);
    private Path logDirectory;
    private List<String> workerArguments = List.of();

    private Builder() {}

    /**
     * Extra {@link WorkerMain} options for every worker, e.g. {@code List.of("--max-attempts", "5")}
     * (see {@link WorkerOptions}). Never put credentials here: they belong in the environment.
     */
    public Builder workerArguments(List<String> arguments) {
      this.workerArguments = List.copyOf(arguments);
      return this;
    }

    /** How many worker processes; default 1. */
    public Builder count(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("count must be >= 1, was " + count);
      }
      this.count = count;
      return this;
    }

    /** Instances per service each worker hosts by default; default the CPU count. */
    public Builder slots(int slots) {
      if (slots < 1) {
        throw new IllegalArgumentException("slots must be >= 1, was " + slots);
      }
      this.slots = slots;
      return this;
    }

    /** The java executable; default this JVM's. */
    public Builder javaCommand(String javaCommand) {
      this.javaCommand = requireNonNull(javaCommand, "javaCommand == null");
      return this;
    }

    /** The workers' class path (Warren and the service classes); default this JVM's. */
    public Builder classPath(String classPath) {
      this.classPath = requireNonNull(classPath, "classPath == null");
      return this;
    }

    /** JVM options for each worker, replacing the defaults (a small heap, quick start-up). */
    public Builder jvmOptions(List<String> jvmOptions) {
      this.jvmOptions = List.copyOf(jvmOptions);
      return this;
    }

    /** How often workers heartbeat, at least 50 ms; three missed heartbeats mark a worker lost. Default 1 s. */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = Durations.atLeast(interval, Provisioner.MIN_HEARTBEAT_INTERVAL, "heartbeatInterval");
      return this;
    }

    /** How long stopping waits for a worker to drain before killing it; default 30 s. */
    public Builder stopGrace(Duration grace) {
      this.stopGrace = Durations.notNegative(grace, "stopGrace");
      return this;
    }

    /** Where the workers' logs go; default a new temporary directory. */
    public Builder logDirectory(Path directory) {
      this.logDirectory = requireNonNull(directory, "directory == null");
      return this;
    }

    public LocalWorkers build() {
      return new LocalWorkers(this);
    }
  }
}
