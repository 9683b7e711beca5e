package io.warren.grid.spi;

import java.util.Optional;
import java.util.Set;

/** Worker processes started by a {@link Provisioner}; closing stops them. */
public interface ProvisionedWorkers extends AutoCloseable {

  /** The ids the started workers announce themselves with. */
  Set<String> workerIds();

  /**
   * If a started worker has already exited, why: its id, exit status and the tail of its log. The
   * grid checks this while waiting so a worker that failed to start is reported at once.
   */
  Optional<String> failure();

  /** Stops the workers: gracefully (they drain) within a grace period, then forcibly. Idempotent. */
  @Override
  void close();
}
