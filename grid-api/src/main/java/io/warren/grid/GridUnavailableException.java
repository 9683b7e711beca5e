package io.warren.grid;

/** The grid is closed, or its broker connection was lost or could not be made. */
public final class GridUnavailableException extends GridException {
  private static final long serialVersionUID = 1L;

  public GridUnavailableException(String message) {
    this(message, null);
  }

  public GridUnavailableException(String message, Throwable cause) {
    super(ErrorCode.UNAVAILABLE, message, cause);
  }
}
