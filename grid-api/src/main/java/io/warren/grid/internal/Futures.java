package io.warren.grid.internal;

import io.warren.grid.CallCancelledException;
import io.warren.grid.GridException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Small helpers for the futures the grid hands out. */
public final class Futures {
  private Futures() {}

  /**
   * Waits for {@code future} the way a synchronous proxy call does: returns the value or throws the
   * grid exception unwrapped. Interrupting the waiting thread cancels the call.
   */
  public static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new CallCancelledException("interrupted while waiting for the call");
    } catch (CancellationException e) {
      throw new CallCancelledException("the call was cancelled");
    } catch (ExecutionException e) {
      throw rethrowable(e.getCause());
    }
  }

  /**
   * The exception to throw in the caller's thread. Grid exceptions are created on transport
   * threads, whose frames mean nothing to the caller, so their stack is refilled here; the remote
   * stack of a {@link io.warren.grid.RemoteException} lives in its cause and is kept.
   */
  public static RuntimeException rethrowable(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof GridException grid) {
      grid.fillInStackTrace();
      return grid;
    }
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    return new CompletionException(cause);
  }

  /** Cancelling {@code derived} cancels {@code source}: a user cancel reaches the transport. */
  public static <T> CompletableFuture<T> cancelPropagatesTo(CompletableFuture<T> derived, CompletableFuture<?> source) {
    derived.whenComplete((value, failure) -> {
      if (derived.isCancelled()) {
        source.cancel(true);
      }
    });
    return derived;
  }
}
