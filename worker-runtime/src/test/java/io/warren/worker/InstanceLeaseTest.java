package io.warren.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The lease that holds an instance, on a clock the test moves (nanoseconds as System.nanoTime counts them). */
class InstanceLeaseTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private final InstanceLease lease = new InstanceLease();

  @Test
  void aLeaseExpiresOnlyOnceItsTtlPassesWithoutARenewalFromItsOwnClient() {
    long t0 = 5 * SECOND;
    lease.grant("c1-L1", 3_000, t0);
    assertFalse(lease.expired(t0 + 3 * SECOND), "exactly the TTL is not past it");

    lease.renew("c2-L9", t0 + 2 * SECOND); // another lease's renewal
    assertTrue(lease.expired(t0 + 3 * SECOND + 1));

    lease.renew("c1-L1", t0 + 2 * SECOND);
    assertFalse(lease.expired(t0 + 5 * SECOND));
    assertTrue(lease.expired(t0 + 5 * SECOND + 1));
    assertEquals(3_000, lease.ttlMillis());
  }

  @Test
  void aLeaseWithoutTtlNeverExpiresAndAnEndedOneIsHeldByNobody() {
    lease.grant("c1-L1", 0, 0);
    assertFalse(lease.expired(Long.MAX_VALUE / 2));
    assertTrue(lease.isHeldBy("c1-L1"));
    assertFalse(lease.isHeldBy(null));

    lease.end();
    assertFalse(lease.isHeld());
    assertNull(lease.holder());
    assertFalse(lease.expired(Long.MAX_VALUE / 2));
    assertFalse(lease.wasLostWithTheConnection("c1-L1"), "released, not lost");
  }

  @Test
  void theLeaseADroppedConnectionEndedIsRememberedAcrossASecondDropWithNoneHeld() {
    lease.grant("c1-L1", 30_000, 0);
    lease.loseWithTheConnection();
    assertFalse(lease.isHeld());
    assertTrue(lease.wasLostWithTheConnection("c1-L1"));

    lease.loseWithTheConnection(); // a second drop, nothing held
    assertTrue(lease.wasLostWithTheConnection("c1-L1"));

    lease.grant("c1-L2", 30_000, 0);
    lease.loseWithTheConnection();
    assertTrue(lease.wasLostWithTheConnection("c1-L2"));
    assertFalse(lease.wasLostWithTheConnection("c1-L1"), "only the last one lost");
    assertFalse(lease.wasLostWithTheConnection(null));
  }
}
