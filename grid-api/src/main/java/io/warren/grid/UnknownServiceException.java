package io.warren.grid;

/** No service with the given id or name exists on the broker (never published, or terminated). */
public final class UnknownServiceException extends GridException {
  private static final long serialVersionUID = 1L;

  public UnknownServiceException(String message) {
    super(ErrorCode.UNKNOWN_SERVICE, message, null);
  }
}
