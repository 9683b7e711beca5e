package io.warren.grid;

/**
 * The kinds of failure a grid call can end with. Each code has one exception type, so callers can
 * either catch the type ({@code catch (AcquireTimeoutException e)}) or switch on {@link
 * GridException#code()}.
 */
public enum ErrorCode {
  /** The service method threw; see {@link RemoteException}. */
  REMOTE,
  /** No service with that id or name exists on the broker. */
  UNKNOWN_SERVICE,
  /** The service exists but has no method with the called signature. */
  UNKNOWN_METHOD,
  /** The service is known, but no live instance is left to run the call. */
  NO_INSTANCE,
  /** {@code acquire} found no free instance before its timeout. */
  ACQUIRE_TIMEOUT,
  /** The call did not finish before its deadline. */
  CALL_TIMEOUT,
  /** The instance a lease (or a targeted call) was bound to went away. */
  LOST_INSTANCE,
  /** A service interface cannot be used as declared; the message names {@code Interface.method}. */
  INVALID_INTERFACE,
  /** A request was malformed: wrong argument count or types, undeclared types, bad payload. */
  BAD_REQUEST,
  /** A call was made through a lease that has been released. */
  LEASE_RELEASED,
  /** Publishing a service failed on one or more workers. */
  PUBLISH_FAILED,
  /** The grid or its broker connection is closed or unreachable. */
  UNAVAILABLE,
  /** The call was cancelled by its caller. */
  CANCELLED,
  /**
   * A {@link NonIdempotent} call was redelivered after the worker running it died; it was not run a
   * second time, since it may already have had its effect.
   */
  RETRY_REFUSED,
  /** The call was redelivered too often (each time its worker died) and was set aside in the dead-letter queue. */
  DEAD_LETTERED
}
