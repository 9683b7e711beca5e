package io.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client's lease renewals, on the timer executor the backend uses. */
@Timeout(30)
class LeaseRenewalsTest {
  private static final Duration TTL = Duration.ofMillis(30); // renewed every 10 ms
  private final ScheduledThreadPoolExecutor timers = Timers.daemon("test-timers");
  private final LeaseRenewals leases = new LeaseRenewals(timers);

  @AfterEach
  void stopTimers() {
    timers.shutdownNow();
  }

  @Test
  void aLeaseIsRenewedUntilStoppedAndItsTimerLeavesTheQueue() throws Exception {
    CountDownLatch threeRenewals = new CountDownLatch(3);
    leases.start("c1-L1", TTL, () -> {
      threeRenewals.countDown();
      return true;
    });
    threeRenewals.await();
    assertEquals(1, leases.renewing());

    leases.stop("c1-L1");
    assertEquals(0, leases.renewing());
    assertEquals(0, timers.getQueue().size(), "a stopped renewal's timer is still queued");
  }

  @Test
  void aRenewalThatSaysNoStopsItsLease() throws Exception {
    AtomicInteger renewals = new AtomicInteger();
    CountDownLatch refused = new CountDownLatch(1);
    leases.start("c1-L1", TTL, () -> {
      if (renewals.incrementAndGet() < 2) {
        return true;
      }
      refused.countDown();
      return false; // its worker is gone
    });
    refused.await();
    Thread.sleep(TTL.toMillis()); // three more periods, had it gone on
    assertEquals(2, renewals.get());
    assertEquals(0, leases.renewing());
    assertFalse(leases.isLost("c1-L1"), "stopped, not lost");
  }

  @Test
  void leasesHeldWhenTheConnectionDropsAreLostAndForgottenOnceOnRelease() {
    leases.start("c1-L1", Duration.ofMinutes(1), () -> true);
    leases.start("c1-L2", Duration.ofMinutes(1), () -> true);
    leases.stop("c1-L2"); // released before the drop

    leases.loseAll();

    assertEquals(0, leases.renewing());
    assertTrue(leases.isLost("c1-L1"));
    assertFalse(leases.isLost("c1-L2"));
    assertTrue(leases.forgetLost("c1-L1"), "its release has nothing left to do");
    assertFalse(leases.forgetLost("c1-L1"));
    assertFalse(leases.isLost("c1-L1"));
  }
}
