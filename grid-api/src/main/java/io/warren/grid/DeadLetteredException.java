package io.warren.grid;

/**
 * The call was delivered too many times — each time the worker running it died — so it was moved
 * to the service's dead-letter queue ({@code warren.dead.<service-id>}) instead of killing more
 * workers.
 */
public final class DeadLetteredException extends GridException {
  private static final long serialVersionUID = 1L;

  public DeadLetteredException(String message) {
    super(ErrorCode.DEAD_LETTERED, message, null);
  }
}
