package io.warren.grid;

/** The service is known but no live instance (or no live worker) is left to run the call. */
public final class NoInstanceException extends GridException {
  private static final long serialVersionUID = 1L;

  public NoInstanceException(String message) {
    super(ErrorCode.NO_INSTANCE, message, null);
  }
}
