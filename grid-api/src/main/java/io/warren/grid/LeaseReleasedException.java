package io.warren.grid;

/** A call was made through a lease after it was released. */
public final class LeaseReleasedException extends GridException {
  private static final long serialVersionUID = 1L;

  public LeaseReleasedException(String message) {
    super(ErrorCode.LEASE_RELEASED, message, null);
  }
}
