package io.warren.grid;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A service method threw on the worker. Carries the remote exception's class name, its message and
 * its stack as it was on the worker; the remote frames are also set as the stack of the {@link
 * #getCause() cause}, so a printed stack trace shows both where the caller was and where the
 * service failed.
 *
 * <pre>{@code
 * try {
 *   sampler.run(-1);
 * } catch (RemoteException e) {
 *   if (e.remoteClassName().equals("java.lang.IllegalArgumentException")) { ... }
 * }
 * }</pre>
 */
public final class RemoteException extends GridException {
  private static final long serialVersionUID = 1L;
  private final String remoteClassName;
  private final String remoteMessage;
  private final List<StackTraceElement> remoteStack;

  public RemoteException(String remoteClassName, String remoteMessage, List<StackTraceElement> remoteStack) {
    super(ErrorCode.REMOTE, remoteClassName + ": " + remoteMessage, new RemoteStack(remoteClassName, remoteMessage, remoteStack));
    this.remoteClassName = requireNonNull(remoteClassName, "remoteClassName == null");
    this.remoteMessage = remoteMessage;
    this.remoteStack = List.copyOf(remoteStack);
  }

  /** The fully qualified class name of the exception thrown on the worker. */
  public String remoteClassName() {
    return remoteClassName;
  }

  /** The remote exception's message; may be null when it had none. */
  public String remoteMessage() {
    return remoteMessage;
  }

  /** The remote exception's stack frames, outermost last. */
  public List<StackTraceElement> remoteStack() {
    return remoteStack;
  }

  /** Holds the worker-side frames so stack traces print them as a "Caused by". */
  private static final class RemoteStack extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RemoteStack(String className, String message, List<StackTraceElement> stack) {
      super("[remote] " + className + ": " + message, null, false, true);
      setStackTrace(stack.toArray(StackTraceElement[]::new));
    }
  }
}
