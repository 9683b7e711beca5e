package io.warren.grid;

/** The service has no method with the called signature (the caller's interface differs from the worker's). */
public final class UnknownMethodException extends GridException {
  private static final long serialVersionUID = 1L;

  public UnknownMethodException(String message) {
    super(ErrorCode.UNKNOWN_METHOD, message, null);
  }
}
