package io.warren.testing;

import static java.util.Objects.requireNonNull;

/**
 * What a finished command left behind: its exit code and everything it printed.
 *
 * <pre>{@code
 * ExecResult result = broker.rabbitmqctl("list_queues", "name");
 * assertTrue(result.succeeded(), result::toString);
 * assertTrue(result.stdout().contains("calls"));
 * }</pre>
 *
 * @param exitCode the process's exit status; 0 means success
 * @param stdout everything the process wrote to standard output, decoded as UTF-8
 * @param stderr everything the process wrote to standard error, decoded as UTF-8
 */
public record ExecResult(int exitCode, String stdout, String stderr) {
  public ExecResult {
    requireNonNull(stdout, "stdout == null");
    requireNonNull(stderr, "stderr == null");
  }

  /** Whether the command exited with status 0. */
  public boolean succeeded() {
    return exitCode == 0;
  }
}
