package io.warren.ssh;

/** How a host's SSH key is checked. */
public enum HostKeyChecking {
  /** The key must be in the known_hosts file; an unknown or changed key refuses the host. The default. */
  STRICT,
  /**
   * Any key is accepted and nothing is recorded. Only for throw-away test hosts whose keys change on
   * every start: it gives up protection against a man in the middle. Spelled out in an inventory as
   * {@code hostKeyChecking: accept-any-insecure} so nobody turns it on by accident.
   */
  ACCEPT_ANY_INSECURE
}
