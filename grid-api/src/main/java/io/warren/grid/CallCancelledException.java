package io.warren.grid;

/** The call was cancelled by its caller before it completed. */
public final class CallCancelledException extends GridException {
  private static final long serialVersionUID = 1L;

  public CallCancelledException(String message) {
    super(ErrorCode.CANCELLED, message, null);
  }
}
