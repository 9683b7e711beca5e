package io.warren.grid.spi;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A service to publish, as a transport sees it.
 *
 * @param name the name (and so the id) to publish under, or empty for a generated id
 * @param implementation the binary class name each worker instantiates
 * @param state the object's state, encoded by {@link Codec#encodeState}
 * @param instances how many instances; 0 for one per slot of every live worker
 * @param prefetch how many shared-queue calls one instance may hold unacknowledged (1 is fairest)
 * @param replicated whether the service queue is replicated over the broker's cluster (a quorum queue)
 */
public record PublishRequest(
    Optional<String> name, String implementation, byte[] state, int instances, int prefetch, boolean replicated) {
  public PublishRequest {
    requireNonNull(name, "name == null");
    requireNonNull(implementation, "implementation == null");
    requireNonNull(state, "state == null");
    if (instances < 0) {
      throw new IllegalArgumentException("instances < 0");
    }
    if (prefetch < 1) {
      throw new IllegalArgumentException("prefetch < 1");
    }
  }

  /** A request for an unreplicated service queue. */
  public PublishRequest(Optional<String> name, String implementation, byte[] state, int instances, int prefetch) {
    this(name, implementation, state, instances, prefetch, false);
  }
}
