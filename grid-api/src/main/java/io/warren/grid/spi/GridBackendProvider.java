package io.warren.grid.spi;

/**
 * Opens {@link GridBackend}s for the URI schemes it supports. Implementations are listed in {@code
 * META-INF/services/io.warren.grid.spi.GridBackendProvider}; the grid picks the first provider that
 * {@linkplain #supports supports} the broker URI's scheme.
 */
public interface GridBackendProvider {

  /** True if this provider can open a backend for {@code scheme} (e.g. {@code amqp}). */
  boolean supports(String scheme);

  /** Connects to the broker; throws {@link io.warren.grid.GridUnavailableException} on failure. */
  GridBackend open(BrokerEndpoint broker);
}
