package io.warren.worker;

import java.util.concurrent.TimeUnit;

/**
 * Which lease holds an instance, how long it lives without a renewal, and which lease the
 * instance's last dropped connection ended (its instance queue went with that connection).
 *
 * <p>Granted, ended and lost by the instance's loop; renewed from the worker's control consumer
 * (renewals do not wait behind calls); read by the worker's timer (expiry checks) and heartbeats.
 * So the holder, its TTL and its renewal time are volatile; the lost lease is the loop's alone.
 *
 * <pre>{@code
 * InstanceLease lease = new InstanceLease();
 * lease.grant("c1-L7", 30_000, System.nanoTime());
 * lease.renew("c1-L7", System.nanoTime());   // from the worker's queue: its client lives
 * if (lease.expired(System.nanoTime())) { lease.end(); }
 * }</pre>
 */
final class InstanceLease {
  private volatile String holder;
  /** 0: the lease never expires by itself. */
  private volatile long ttlNanos;
  private volatile long renewedAt;
  private String lostWithTheConnection;

  /** The lease holding the instance, or null. */
  String holder() {
    return holder;
  }

  boolean isHeld() {
    return holder != null;
  }

  boolean isHeldBy(String leaseId) {
    return leaseId != null && leaseId.equals(holder);
  }

  /** {@code leaseId} holds the instance from {@code now}; it ends if not renewed for {@code ttlMillis} (0: never). */
  void grant(String leaseId, long ttlMillis, long now) {
    holder = leaseId;
    ttlNanos = TimeUnit.MILLISECONDS.toNanos(ttlMillis);
    renewedAt = now;
  }

  /** The lease's client is alive: its TTL counts again from {@code now}. Another lease's renewal is ignored. */
  void renew(String leaseId, long now) {
    if (isHeldBy(leaseId)) {
      renewedAt = now;
    }
  }

  /** True when a lease with a TTL holds the instance and was last renewed longer than that ago. */
  boolean expired(long now) {
    long ttl = ttlNanos;
    return holder != null && ttl > 0 && now - renewedAt > ttl;
  }

  long ttlMillis() {
    return TimeUnit.NANOSECONDS.toMillis(ttlNanos);
  }

  void end() {
    holder = null;
    ttlNanos = 0;
  }

  /**
   * The instance's connection dropped, and its instance queue with it: the lease holding it (if
   * any) ends and is remembered as lost, so its later calls fail as lost rather than as released.
   * A second drop with no lease held keeps the one remembered.
   */
  void loseWithTheConnection() {
    if (holder != null) {
      lostWithTheConnection = holder;
    }
    end();
  }

  /** True for the lease the last dropped connection ended. */
  boolean wasLostWithTheConnection(String leaseId) {
    return leaseId != null && leaseId.equals(lostWithTheConnection);
  }
}
