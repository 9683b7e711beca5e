package io.warren.worker;

import io.warren.grid.spi.BrokerEndpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** One local worker JVM, its log file and the pipe whose closing tells it the parent is gone. */
final class LocalWorkerProcess {
  private static final int LOG_TAIL_LINES = 20;

  final String id;
  private final Process process;
  private final Path log;

  private LocalWorkerProcess(String id, Process process, Path log) {
    this.id = id;
    this.process = process;
    this.log = log;
  }

  static LocalWorkerProcess launch(String id, List<String> command, BrokerEndpoint broker, Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put(WorkerOptions.USERNAME_ENV, broker.username());
    builder.environment().put(WorkerOptions.PASSWORD_ENV, broker.password());
    return new LocalWorkerProcess(id, builder.start(), log);
  }

  /** Why the process is no longer running, if it is not. */
  Optional<String> failure() {
    if (process.isAlive()) {
      return Optional.empty();
    }
    return Optional.of(id + " exited with status " + process.exitValue() + "; its log ends:\n" + logTail());
  }

  /** Asks the worker to drain (SIGTERM runs its drain hook), then kills it after {@code graceMillis}. */
  void stop(long graceMillis) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Kills without draining: for a JVM that is exiting. */
  void kill() {
    process.destroyForcibly();
  }

  /** The OS process, for tests that kill a worker. */
  ProcessHandle handle() {
    return process.toHandle();
  }

  Path log() {
    return log;
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(log " + log + " unreadable: " + e.getMessage() + ")";
    }
  }
}
