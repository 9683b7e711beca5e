package io.warren.grid;

/** {@code acquire} found no free instance before its timeout; no instance stays leased on the caller's behalf. */
public final class AcquireTimeoutException extends GridException {
  private static final long serialVersionUID = 1L;

  public AcquireTimeoutException(String message) {
    super(ErrorCode.ACQUIRE_TIMEOUT, message, null);
  }
}
