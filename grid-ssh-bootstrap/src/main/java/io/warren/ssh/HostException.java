package io.warren.ssh;

/** A failure on one host, carried as a {@link HostFailure} so the farm can collect them and go on. */
final class HostException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient HostFailure failure;

  HostException(HostFailure failure, Throwable cause) {
    super(failure.describe(), cause);
    this.failure = failure;
  }

  HostException(HostFailure failure) {
    this(failure, null);
  }

  HostFailure failure() {
    return failure;
  }
}
