package io.warren.grid.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The capture's own rules; proxies taking part in it are covered by the conformance suite. */
class CallCaptureTest {

  @Test
  void anAsyncLambdaWithoutAProxyCallIsRefusedAndLeavesNoCaptureBehind() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CallCapture.async(() -> 42));
    assertEquals("an async lambda must make exactly one call on a grid proxy, it made 0", e.getMessage());
    assertNull(CallCapture.current(), "proxy calls after the failed capture are plain calls again");
  }

  @Test
  void aSecondCallInOneAsyncLambdaIsCancelledAndRefused() {
    CompletableFuture<Object> first = new CompletableFuture<>();
    CompletableFuture<Object> second = new CompletableFuture<>();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CallCapture.async(() -> {
      CallCapture.current().started(first);
      CallCapture.current().started(second);
      return null;
    }));
    assertTrue(e.getMessage().endsWith("it made 2"), e.getMessage());
    assertTrue(first.isCancelled() && second.isCancelled(), "neither call is left running");
  }

  @Test
  void theStartedCallIsTheCapturedFuture() {
    CompletableFuture<Object> call = new CompletableFuture<>();
    assertEquals(call, CallCapture.async(() -> {
      CallCapture capture = CallCapture.current();
      assertTrue(!capture.records(), "an async capture starts calls");
      capture.started(call);
      return null;
    }));
    assertNull(CallCapture.current());
  }

  @Test
  void capturesCannotBeNestedAndTheOuterOneEndsCleanly() {
    IllegalStateException inAsync = assertThrows(IllegalStateException.class,
        () -> CallCapture.async(() -> CallCapture.record(() -> null)));
    assertEquals("cannot start chunk calls inside an async or chunk lambda", inAsync.getMessage());
    IllegalStateException inChunk = assertThrows(IllegalStateException.class,
        () -> CallCapture.record(() -> CallCapture.async(() -> null)));
    assertEquals("cannot start async calls inside an async or chunk lambda", inChunk.getMessage());
    assertNull(CallCapture.current());
  }

  @Test
  void aChunkLambdaMustMakeExactlyOneCall() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CallCapture.record(() -> null));
    assertEquals("a chunk lambda must make exactly one call on a grid proxy, it made 0", e.getMessage());
    assertTrue(CallCapture.record(() -> {
      assertTrue(CallCapture.current().records());
      CallCapture.current().recorded(new CallCapture.Recorded(null, null, new Object[0]));
      return null;
    }).args().length == 0);
  }
}
