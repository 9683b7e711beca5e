package io.warren.grid.spi;

/**
 * Starts worker runtimes for a grid: local JVM processes, or processes on SSH hosts. The grid calls
 * {@link #start} once while it is built and closes the returned handle when it is closed.
 */
public interface Provisioner {

  /**
   * Starts the workers, giving them {@code broker}'s credentials without putting them on a command
   * line. Returns as soon as the processes are launched; the grid waits for their heartbeats.
   */
  ProvisionedWorkers start(BrokerEndpoint broker);
}
