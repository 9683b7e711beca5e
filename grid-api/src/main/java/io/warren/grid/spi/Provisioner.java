package io.warren.grid.spi;

import java.time.Duration;

/**
 * Starts worker runtimes for a grid: local JVM processes, or processes on SSH hosts. The grid calls
 * {@link #start} once while it is built and closes the returned handle when it is closed.
 */
public interface Provisioner {
  /** The shortest heartbeat interval a worker runtime takes (its {@code --heartbeat-millis}). */
  Duration MIN_HEARTBEAT_INTERVAL = Duration.ofMillis(50);

  /**
   * Starts the workers, giving them {@code broker}'s credentials without putting them on a command
   * line. Returns as soon as the processes are launched; the grid waits for their heartbeats.
   */
  ProvisionedWorkers start(BrokerEndpoint broker);
}
