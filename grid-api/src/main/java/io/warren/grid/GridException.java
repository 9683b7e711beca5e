package io.warren.grid;

import static java.util.Objects.requireNonNull;

/**
 * The one unchecked exception every grid failure is raised as, carrying an {@link ErrorCode}. Each
 * code has a subclass for typed {@code catch} blocks; {@link #of(ErrorCode, String)} builds the right
 * one, so code that turns wire errors back into exceptions never needs a switch of its own.
 */
public class GridException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  protected GridException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = requireNonNull(code, "code == null");
  }

  /** What kind of failure this is. */
  public ErrorCode code() {
    return code;
  }

  /** The exception type for {@code code}, with {@code message}. */
  public static GridException of(ErrorCode code, String message) {
    return of(code, message, null);
  }

  /** The exception type for {@code code}, with {@code message} and {@code cause}. */
  public static GridException of(ErrorCode code, String message, Throwable cause) {
    return switch (code) {
      case REMOTE -> new RemoteException("unknown", message, java.util.List.of());
      case UNKNOWN_SERVICE -> new UnknownServiceException(message);
      case UNKNOWN_METHOD -> new UnknownMethodException(message);
      case NO_INSTANCE -> new NoInstanceException(message);
      case ACQUIRE_TIMEOUT -> new AcquireTimeoutException(message);
      case CALL_TIMEOUT -> new CallTimeoutException(message);
      case LOST_INSTANCE -> new LostInstanceException(message);
      case INVALID_INTERFACE -> new InvalidServiceInterfaceException(message);
      case BAD_REQUEST -> new BadRequestException(message, cause);
      case LEASE_RELEASED -> new LeaseReleasedException(message);
      case PUBLISH_FAILED -> new PublishFailedException(message, cause);
      case UNAVAILABLE -> new GridUnavailableException(message, cause);
      case CANCELLED -> new CallCancelledException(message);
      case RETRY_REFUSED -> new RetryRefusedException(message);
      case DEAD_LETTERED -> new DeadLetteredException(message);
    };
  }
}
