package io.warren.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short command to completion, with a time limit, and keeps what it printed.
 *
 * <pre>{@code
 * ExecResult result = Exec.run(List.of("rabbitmqctl", "status"), env, workDir, Duration.ofSeconds(90));
 * }</pre>
 */
final class Exec {
  private Exec() {}

  /**
   * Runs {@code command} in {@code directory} with the caller's environment plus {@code env}.
   * Output goes through files in {@code directory} rather than pipes: nothing needs draining, and
   * a grandchild that keeps a pipe open (epmd, started by the Erlang VM) cannot block us.
   *
   * @throws IllegalStateException if the command does not finish within {@code timeout} (it is
   *     killed) or cannot be started
   */
  static ExecResult run(List<String> command, Map<String, String> env, Path directory, Duration timeout) {
    requireNonNull(command, "command == null");
    requireNonNull(env, "env == null");
    requireNonNull(directory, "directory == null");
    requireNonNull(timeout, "timeout == null");
    Path out = null;
    Path err = null;
    Process process = null;
    try {
      out = Files.createTempFile(directory, "exec-", ".out");
      err = Files.createTempFile(directory, "exec-", ".err");
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(directory.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      builder.environment().putAll(env);
      process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        killTree(process);
        throw new IllegalStateException(command.get(0) + " did not finish within " + timeout + ": " + command);
      }
      return new ExecResult(process.exitValue(), Files.readString(out, UTF_8), Files.readString(err, UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      killTree(process);
      throw new IllegalStateException("interrupted while running " + command, e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  /** Kills {@code process} and every process it started that is still its descendant. */
  static void killTree(Process process) {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // A leftover output file in the node's temporary directory goes away with the directory.
      }
    }
  }
}
