package io.warren.amqp;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The leases this client holds, each renewed every third of its TTL until it is released, and the
 * leases it held when its broker connection dropped. Those are lost: their instance queues went
 * with the workers' connections, so the instances no longer know them, their later calls fail as
 * lost and there is nothing left to release.
 *
 * <p>Thread-safe. Renewals run on the scheduler given; each renewal decides whether to go on.
 *
 * <pre>{@code
 * LeaseRenewals leases = new LeaseRenewals(scheduler);
 * leases.start("c1-L7", Duration.ofSeconds(30), () -> sendRenewal()); // false from it stops it
 * leases.stop("c1-L7");
 * }</pre>
 */
final class LeaseRenewals {
  private final ScheduledExecutorService scheduler;
  private final Map<String, ScheduledFuture<?>> held = new ConcurrentHashMap<>();
  private final Set<String> lost = ConcurrentHashMap.newKeySet();

  LeaseRenewals(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
  }

  /**
   * Runs {@code renewOnce} every third of {@code ttl} until {@link #stop} or until it returns false
   * (its worker is gone, or the client closed).
   */
  void start(String leaseId, Duration ttl, BooleanSupplier renewOnce) {
    long period = Math.max(1, ttl.toMillis() / 3);
    held.put(leaseId, scheduler.scheduleAtFixedRate(() -> {
      if (!renewOnce.getAsBoolean()) {
        stop(leaseId);
      }
    }, period, period, TimeUnit.MILLISECONDS));
  }

  void stop(String leaseId) {
    ScheduledFuture<?> renewal = held.remove(leaseId);
    if (renewal != null) {
      renewal.cancel(false);
    }
  }

  /** How many leases are renewed now. */
  int renewing() {
    return held.size();
  }

  /** The broker connection dropped: every lease held is lost, and renewed no more. */
  void loseAll() {
    for (String leaseId : List.copyOf(held.keySet())) {
      lost.add(leaseId);
      stop(leaseId);
    }
  }

  boolean isLost(String leaseId) {
    return lost.contains(leaseId);
  }

  /** Forgets a lost lease, being released; true if it was lost (so nothing is left to release). */
  boolean forgetLost(String leaseId) {
    return lost.remove(leaseId);
  }
}
