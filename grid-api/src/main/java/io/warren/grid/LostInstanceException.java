package io.warren.grid;

/** The instance a lease or targeted call was bound to went away (worker died, drained or was terminated). */
public final class LostInstanceException extends GridException {
  private static final long serialVersionUID = 1L;

  public LostInstanceException(String message) {
    super(ErrorCode.LOST_INSTANCE, message, null);
  }
}
