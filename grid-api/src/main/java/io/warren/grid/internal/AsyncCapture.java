package io.warren.grid.internal;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Turns a synchronous proxy call into a future: while {@link #capture} runs the caller's lambda, a
 * proxy starts its call without waiting, parks the call's future here and returns a placeholder.
 * This is how {@code lease.async(s -> s.run(10))} calls a plain {@code int run(int)} asynchronously
 * without a second, async copy of every service interface.
 */
public final class AsyncCapture {
  private static final ThreadLocal<AsyncCapture> ACTIVE = new ThreadLocal<>();

  private CompletableFuture<?> captured;
  private int calls;

  private AsyncCapture() {}

  /** Runs {@code body}, which must make exactly one remote call on a grid proxy, and returns its future. */
  @SuppressWarnings("unchecked")
  public static <R> CompletableFuture<R> capture(Supplier<?> body) {
    if (ACTIVE.get() != null) {
      throw new IllegalStateException("async calls cannot be nested");
    }
    AsyncCapture capture = new AsyncCapture();
    ACTIVE.set(capture);
    try {
      body.get();
    } finally {
      ACTIVE.remove();
    }
    if (capture.calls != 1) {
      if (capture.captured != null) {
        capture.captured.cancel(true);
      }
      throw new IllegalArgumentException(
          "an async lambda must make exactly one call on a grid proxy, it made " + capture.calls);
    }
    return (CompletableFuture<R>) capture.captured;
  }

  /** True while a capture is running on this thread. */
  static boolean active() {
    return ACTIVE.get() != null;
  }

  /** Records the call a proxy started under capture. */
  static void offer(CompletableFuture<?> call) {
    AsyncCapture capture = ACTIVE.get();
    capture.calls++;
    if (capture.captured == null) {
      capture.captured = call;
    } else {
      call.cancel(true); // a second call is an error reported by capture(); do not leave it running
    }
  }
}
