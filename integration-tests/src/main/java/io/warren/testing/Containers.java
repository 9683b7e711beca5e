package io.warren.testing;

import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;

/**
 * What the container helpers share: start-or-remove, bounded exec, removal that is checked.
 *
 * <pre>{@code
 * Containers.start(container, "SSH host 127.0.1.11:2222");   // removed again if it fails
 * ExecResult r = Containers.exec(container, Duration.ofSeconds(60), "id", "-un");
 * Containers.remove(container);
 * }</pre>
 *
 * <p>Ryuk, Testcontainers' reaper container, is off on the test machines (it cannot be pulled),
 * so nothing else removes a container: every path out of a helper goes through {@link #remove}.
 */
final class Containers {
  private static final int LOG_TAIL_CHARS = 4_000;

  private Containers() {}

  /**
   * Starts {@code container}; if it does not come up, removes it and throws with the tail of its
   * output.
   */
  static void start(GenericContainer<?> container, String what) {
    try {
      container.start();
    } catch (RuntimeException e) {
      String logs = logTail(container);
      remove(container);
      throw new IllegalStateException(what + " did not start: " + e.getMessage()
          + (logs.isEmpty() ? "" : "\n--- container output (tail) ---\n" + logs), e);
    }
  }

  /**
   * Runs {@code command} as root in the running container, killed after {@code limit} by coreutils'
   * {@code timeout} inside the container (exit code 124 then): a hung command cannot hang a test.
   */
  static ExecResult exec(GenericContainer<?> container, Duration limit, String... command) {
    List<String> bounded = new ArrayList<>(List.of(
        "timeout", "--kill-after=5", Long.toString(Math.max(1, limit.toSeconds()))));
    bounded.addAll(List.of(command));
    try {
      Container.ExecResult result = container.execInContainer(bounded.toArray(String[]::new));
      return new ExecResult(result.getExitCode(), result.getStdout(), result.getStderr());
    } catch (IOException e) {
      throw new IllegalStateException("cannot exec " + List.of(command) + " in " + container.getContainerId(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during exec " + List.of(command), e);
    }
  }

  /** Sends SIGKILL to the container's processes: as sudden as a host losing power. */
  static void kill(GenericContainer<?> container) {
    TestImages.docker().killContainerCmd(container.getContainerId()).exec();
  }

  /**
   * Kills and removes the container, then checks that it is gone (Testcontainers' own stop only
   * logs a failed removal) and force-removes it if not. Idempotent.
   */
  static void remove(GenericContainer<?> container) {
    String id = container.getContainerId();
    try {
      container.stop();
    } finally {
      if (id != null) {
        try {
          TestImages.docker().removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
          // Removed by stop(), as it should be.
        }
      }
    }
  }

  private static String logTail(GenericContainer<?> container) {
    try {
      String logs = container.getLogs();
      return logs.length() <= LOG_TAIL_CHARS ? logs : logs.substring(logs.length() - LOG_TAIL_CHARS);
    } catch (RuntimeException e) {
      return ""; // never created, or already gone
    }
  }
}
