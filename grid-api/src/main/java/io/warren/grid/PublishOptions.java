package io.warren.grid;

import java.util.Optional;

/**
 * How to publish a service: an optional name (so other clients can find it) and how many instances
 * to create. By default a service gets one instance per worker slot over all live workers.
 *
 * <pre>{@code
 * grid.publish(new Sampler(params), PublishOptions.defaults().named("sampler").instances(4));
 * }</pre>
 *
 * @param name the service's name, which is also its id; empty for a generated id
 * @param instances how many instances to create; 0 means one per slot of every live worker
 */
public record PublishOptions(Optional<String> name, int instances) {
  public PublishOptions {
    name = name == null ? Optional.empty() : name;
    name.ifPresent(ServiceId::new); // validates the characters now rather than at the broker
    if (instances < 0) {
      throw new IllegalArgumentException("instances < 0: " + instances);
    }
  }

  /** No name, one instance per slot. */
  public static PublishOptions defaults() {
    return new PublishOptions(Optional.empty(), 0);
  }

  /** These options with the service named {@code name}. */
  public PublishOptions named(String name) {
    return new PublishOptions(Optional.of(name), instances);
  }

  /** These options with exactly {@code count} instances (at least 1). */
  public PublishOptions instances(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("instances must be >= 1, was " + count);
    }
    return new PublishOptions(name, count);
  }
}
