package io.warren.grid;

/** The call did not complete before its deadline; the worker skips it if it has not started yet. */
public final class CallTimeoutException extends GridException {
  private static final long serialVersionUID = 1L;

  public CallTimeoutException(String message) {
    super(ErrorCode.CALL_TIMEOUT, message, null);
  }
}
