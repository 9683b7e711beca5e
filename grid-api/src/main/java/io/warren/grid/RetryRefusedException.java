package io.warren.grid;

/**
 * A {@link NonIdempotent} call was redelivered after the worker running it died. It was not run
 * again, because its first run may already have had its effect; the caller decides what to do.
 */
public final class RetryRefusedException extends GridException {
  private static final long serialVersionUID = 1L;

  public RetryRefusedException(String message) {
    super(ErrorCode.RETRY_REFUSED, message, null);
  }
}
