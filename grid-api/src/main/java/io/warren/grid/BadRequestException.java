package io.warren.grid;

/** A request was malformed: wrong argument count or types, a type the interface does not declare, or an unreadable payload. */
public final class BadRequestException extends GridException {
  private static final long serialVersionUID = 1L;

  public BadRequestException(String message) {
    this(message, null);
  }

  public BadRequestException(String message, Throwable cause) {
    super(ErrorCode.BAD_REQUEST, message, cause);
  }
}
