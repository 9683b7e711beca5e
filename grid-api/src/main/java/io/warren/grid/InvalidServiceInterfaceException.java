package io.warren.grid;

/** A service interface or published object cannot be used as declared; the message names {@code Interface.method}. */
public final class InvalidServiceInterfaceException extends GridException {
  private static final long serialVersionUID = 1L;

  public InvalidServiceInterfaceException(String message) {
    super(ErrorCode.INVALID_INTERFACE, message, null);
  }
}
