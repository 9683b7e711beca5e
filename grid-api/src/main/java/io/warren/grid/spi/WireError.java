package io.warren.grid.spi;

import static java.util.Objects.requireNonNull;

import io.warren.grid.ErrorCode;
import io.warren.grid.GridException;
import io.warren.grid.RemoteException;
import java.util.Arrays;
import java.util.List;

/**
 * A failure as it travels from a worker to a caller: its code, message and, for exceptions thrown by
 * service code, the remote class name and stack.
 *
 * @param code what kind of failure
 * @param message a human-readable explanation
 * @param remoteClass the thrown class for {@link ErrorCode#REMOTE}, else null
 * @param stack the thrown exception's frames for {@link ErrorCode#REMOTE}, else empty
 */
public record WireError(ErrorCode code, String message, String remoteClass, List<Frame> stack) {
  private static final String UNKNOWN = "unknown";

  public WireError {
    requireNonNull(code, "code == null");
    stack = stack == null ? List.of() : List.copyOf(stack);
  }

  /** One stack frame. */
  public record Frame(String className, String method, String file, int line) {
    static Frame of(StackTraceElement e) {
      return new Frame(e.getClassName(), e.getMethodName(), e.getFileName(), e.getLineNumber());
    }

    /**
     * The frame as a stack element. A frame without its class or method (a worker written to the
     * protocol by hand may send one) reads as {@code unknown}: {@link StackTraceElement} refuses
     * nulls there, and one bad frame must not cost the caller the remote exception itself.
     */
    StackTraceElement toElement() {
      return new StackTraceElement(className == null ? UNKNOWN : className, method == null ? UNKNOWN : method, file, line);
    }
  }

  /** A non-remote failure. */
  public static WireError of(ErrorCode code, String message) {
    return new WireError(code, message, null, List.of());
  }

  /** What a service method threw. */
  public static WireError thrown(Throwable thrown) {
    return new WireError(
        ErrorCode.REMOTE,
        thrown.getMessage(),
        thrown.getClass().getName(),
        Arrays.stream(thrown.getStackTrace()).map(Frame::of).toList());
  }

  /** The exception a caller sees. */
  public GridException toException() {
    if (code == ErrorCode.REMOTE) {
      return new RemoteException(
          remoteClass == null ? UNKNOWN : remoteClass,
          message,
          stack.stream().map(Frame::toElement).toList());
    }
    return GridException.of(code, message);
  }
}
