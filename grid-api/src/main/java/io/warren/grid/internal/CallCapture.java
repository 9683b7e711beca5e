package io.warren.grid.internal;

import io.warren.grid.spi.MethodContract;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Catches the one proxy call a caller's lambda makes, so that a plain service interface can be
 * called in other ways without a second copy of it:
 *
 * <ul>
 *   <li>{@link #async}: the proxy starts the call without waiting and parks its future here. This is
 *       how {@code lease.async(s -> s.run(10))} calls a plain {@code int run(int)} asynchronously.
 *   <li>{@link #record}: the proxy only notes the method and arguments. Chunks are built this way:
 *       {@code Grid.asyncChunk(any, items, (s, x) -> s.run(x))} records one call per item, then sends
 *       the calls of one method together as one message.
 * </ul>
 *
 * <p>In both cases the proxy returns a placeholder to the lambda. One thread-local holds whichever
 * capture is running, so a proxy call outside any capture costs one lookup.
 */
public final class CallCapture {
  private static final ThreadLocal<CallCapture> ACTIVE = new ThreadLocal<>();

  /** A call a proxy recorded: the proxy's handler, the method and the arguments. */
  public record Recorded(ServiceProxy proxy, MethodContract method, Object[] args) {
    /** True if {@code other} calls the same method through the same proxy (so both fit one chunk). */
    boolean sameCall(Recorded other) {
      return proxy == other.proxy && method.equals(other.method);
    }
  }

  private final boolean recording;
  private int calls;
  private CompletableFuture<?> started;
  private Recorded recorded;

  private CallCapture(boolean recording) {
    this.recording = recording;
  }

  /** Runs {@code body}, which must make exactly one remote call on a grid proxy, and returns its future. */
  @SuppressWarnings("unchecked")
  public static <R> CompletableFuture<R> async(Supplier<?> body) {
    CallCapture capture = run(new CallCapture(false), body, "async");
    if (capture.calls != 1) {
      if (capture.started != null) {
        capture.started.cancel(true);
      }
      throw exactlyOne("an async", capture.calls);
    }
    return (CompletableFuture<R>) capture.started;
  }

  /** Runs {@code body}, which must make exactly one call on a grid proxy, and returns that call unsent. */
  public static Recorded record(Supplier<?> body) {
    CallCapture capture = run(new CallCapture(true), body, "chunk");
    if (capture.calls != 1) {
      throw exactlyOne("a chunk", capture.calls);
    }
    return capture.recorded;
  }

  /** The capture running on this thread, or null: what a proxy asks before each call. */
  static CallCapture current() {
    return ACTIVE.get();
  }

  /** True if this capture records calls instead of starting them. */
  boolean records() {
    return recording;
  }

  /** Notes the call a proxy was asked to make (recording). */
  void recorded(Recorded call) {
    calls++;
    recorded = call;
  }

  /** Takes the future of a call a proxy started (async). */
  void started(CompletableFuture<?> call) {
    calls++;
    if (started == null) {
      started = call;
    } else {
      call.cancel(true); // a second call is an error reported by async(); do not leave it running
    }
  }

  private static CallCapture run(CallCapture capture, Supplier<?> body, String kind) {
    if (ACTIVE.get() != null) {
      throw new IllegalStateException("cannot start " + kind + " calls inside an async or chunk lambda");
    }
    ACTIVE.set(capture);
    try {
      body.get();
    } finally {
      // set(null), not remove(): the thread's entry stays, so the next capture and every proxy call's
      // lookup find it without rehashing the thread's map.
      ACTIVE.set(null);
    }
    return capture;
  }

  private static IllegalArgumentException exactlyOne(String lambda, int calls) {
    return new IllegalArgumentException(lambda + " lambda must make exactly one call on a grid proxy, it made " + calls);
  }
}
