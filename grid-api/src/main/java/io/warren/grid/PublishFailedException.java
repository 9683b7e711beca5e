package io.warren.grid;

/** Publishing a service failed; the message names the worker and its reason, and no instance is left behind. */
public final class PublishFailedException extends GridException {
  private static final long serialVersionUID = 1L;

  public PublishFailedException(String message) {
    this(message, null);
  }

  public PublishFailedException(String message, Throwable cause) {
    super(ErrorCode.PUBLISH_FAILED, message, cause);
  }
}
