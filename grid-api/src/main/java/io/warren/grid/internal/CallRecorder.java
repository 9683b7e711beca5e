package io.warren.grid.internal;

import io.warren.grid.spi.MethodContract;
import java.util.function.Supplier;

/**
 * Records a proxy call instead of sending it: while {@link #record} runs the caller's lambda, a
 * proxy notes which method was called with which arguments and returns a placeholder. Chunks are
 * built this way: {@code Grid.asyncChunk(any, items, (s, x) -> s.run(x))} records one call per item,
 * then sends the calls of one method together as one message.
 */
public final class CallRecorder {
  private static final ThreadLocal<CallRecorder> ACTIVE = new ThreadLocal<>();

  /** A call a proxy recorded: the proxy's handler, the method and the arguments. */
  public record Recorded(ServiceProxy proxy, MethodContract method, Object[] args) {
    /** True if {@code other} calls the same method through the same proxy (so both fit one chunk). */
    boolean sameCall(Recorded other) {
      return proxy == other.proxy && method.equals(other.method);
    }
  }

  private Recorded recorded;
  private int calls;

  private CallRecorder() {}

  /** Runs {@code body}, which must make exactly one call on a grid proxy, and returns that call unsent. */
  public static Recorded record(Supplier<?> body) {
    if (ACTIVE.get() != null || AsyncCapture.active()) {
      throw new IllegalStateException("calls cannot be recorded inside an async or chunk lambda");
    }
    CallRecorder recorder = new CallRecorder();
    ACTIVE.set(recorder);
    try {
      body.get();
    } finally {
      ACTIVE.remove();
    }
    if (recorder.calls != 1) {
      throw new IllegalArgumentException(
          "a chunk lambda must make exactly one call on a grid proxy, it made " + recorder.calls);
    }
    return recorder.recorded;
  }

  /** True while a recording is running on this thread. */
  static boolean active() {
    return ACTIVE.get() != null;
  }

  /** Notes the call a proxy was asked to make. */
  static void offer(Recorded call) {
    CallRecorder recorder = ACTIVE.get();
    recorder.calls++;
    recorder.recorded = call;
  }
}
