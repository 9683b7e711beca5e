package io.warren.grid.spi;

import io.warren.grid.GridException;
import io.warren.grid.GridUnavailableException;
import java.util.Optional;
import java.util.Set;

/** Worker processes started by a {@link Provisioner}; closing stops them. */
public interface ProvisionedWorkers extends AutoCloseable {

  /**
   * The ids the started workers announce themselves with. A provisioner that tolerates partial
   * failure may drop workers from this set while the grid waits for them.
   */
  Set<String> workerIds();

  /**
   * If starting has failed for good, the error the grid's build throws: which worker or host, its
   * exit status and the tail of its log. The grid checks this while waiting, so a worker that died
   * at start-up is reported at once rather than after the start-up timeout.
   */
  Optional<GridException> failure();

  /**
   * Called once when the grid's start-up timeout has passed and the workers in {@code silent} have
   * not announced themselves on the broker. Throws the error to report; a provisioner that
   * tolerates partial failure instead drops (and stops) them and returns, and the grid goes on with
   * the others.
   */
  default void notReady(Set<String> silent) {
    throw new GridUnavailableException("workers did not announce themselves on the broker in time: " + silent);
  }

  /** Stops the workers: gracefully (they drain) within a grace period, then forcibly. Idempotent. */
  @Override
  void close();
}
