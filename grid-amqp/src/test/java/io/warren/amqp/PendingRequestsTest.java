package io.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.CallTimeoutException;
import io.warren.grid.GridUnavailableException;
import io.warren.grid.ServiceId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client's table of requests and their timeout timers, on the timer executor the backend uses. */
@Timeout(30)
class PendingRequestsTest {
  private final ScheduledThreadPoolExecutor timers = Timers.daemon("test-timers");
  private final PendingRequests pending = new PendingRequests(timers);

  @AfterEach
  void stopTimers() {
    timers.shutdownNow();
  }

  @Test
  void completedRequestsLeaveNoTimerQueuedBehind() {
    // Issue 5: a cancelled timer that stays queued until its 10-minute delay keeps its call alive.
    for (int i = 0; i < 1_000; i++) {
      Pending<String> call = pending.add(call("c" + i), Duration.ofMinutes(10), () -> new CallTimeoutException("late"));
      call.future.complete("done");
    }
    assertEquals(0, pending.size());
    assertEquals(0, timers.getQueue().size(), "timers of completed calls still queued");
  }

  @Test
  void closeFailsTheWaitingRequestsAndEveryOneAddedAfterItEvenWithTheTimersStopped() {
    Pending<String> before = pending.add(call("before"), Duration.ofMinutes(10), () -> new CallTimeoutException("late"));
    pending.close(() -> new GridUnavailableException("the grid is closed"));
    timers.shutdownNow(); // as the backend's close does next

    // Registered by a call that passed its checks just before the grid closed: no reply and no
    // timer will come for it, so it must fail here rather than wait for ever.
    Pending<String> after = pending.add(call("after"), Duration.ofMinutes(10), () -> new CallTimeoutException("late"));

    for (Pending<String> request : java.util.List.of(before, after)) {
      java.util.concurrent.CompletionException failure =
          assertThrows(java.util.concurrent.CompletionException.class, () -> request.future.getNow(null));
      assertInstanceOf(GridUnavailableException.class, failure.getCause(), request.id);
    }
    assertEquals(0, pending.size());
  }

  @Test
  void aRequestNobodyAnswersStillTimesOut() throws Exception {
    Pending<String> call = pending.add(call("late"), Duration.ofMillis(50), () -> new CallTimeoutException("no reply"));
    ExecutionException failure = assertThrows(ExecutionException.class, () -> call.future.get(10, TimeUnit.SECONDS));
    assertInstanceOf(CallTimeoutException.class, failure.getCause());
    assertEquals(0, pending.size());
  }

  @Test
  void theTimerThreadIsANamedDaemon() throws Exception {
    Thread thread = timers.submit(Thread::currentThread).get();
    assertTrue(thread.isDaemon(), "a timer thread must not keep the JVM alive");
    assertEquals("test-timers", thread.getName());
  }

  @Test
  void onlySentRequestsToThatInstanceAreAskedAbout() {
    ServiceId service = new ServiceId("svc-a");
    Pending<String> sent = pending.add(toInstance("sent", service, "w1", 2), Duration.ofMinutes(1), () -> new CallTimeoutException("late"));
    sent.sent = true;
    pending.add(toInstance("unsent", service, "w1", 2), Duration.ofMinutes(1), () -> new CallTimeoutException("late"));
    for (Pending<String> other : List.of(toInstance("other-number", service, "w1", 3),
        toInstance("other-worker", service, "w2", 2), toInstance("other-service", new ServiceId("svc-b"), "w1", 2),
        new Pending<String>("shared", Pending.Kind.CALL, service, null, reply -> "decoded"))) {
      pending.add(other, Duration.ofMinutes(1), () -> new CallTimeoutException("late")).sent = true;
    }
    assertEquals(List.of("sent"), pending.matching(p -> p.sentTo("w1", service, 2)).stream().map(p -> p.id).toList());
  }

  private static Pending<String> toInstance(String id, ServiceId service, String worker, int instance) {
    return new Pending<>(id, Pending.Kind.CALL, service, worker, instance, reply -> "decoded");
  }

  private static Pending<String> call(String id) {
    return new Pending<>(id, Pending.Kind.CALL, null, null, reply -> "decoded");
  }
}
