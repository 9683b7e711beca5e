package io.warren.amqp;

import io.warren.grid.GridException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The requests of one client that wait for replies, by correlation id. A request leaves the table
 * the moment its future completes, however it completes, so the table never grows with finished
 * calls. Thread-safe.
 */
final class PendingRequests {
  private final ConcurrentHashMap<String, Pending<?>> byId = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timers;

  PendingRequests(ScheduledExecutorService timers) {
    this.timers = timers;
  }

  /** Adds {@code pending}; it fails with {@code onTimeout} if nothing completes it in {@code timeout}. */
  <T> Pending<T> add(Pending<T> pending, Duration timeout, Supplier<? extends GridException> onTimeout) {
    byId.put(pending.id, pending);
    ScheduledFuture<?> timer =
        timers.schedule(() -> pending.future.completeExceptionally(onTimeout.get()), timeout.toNanos(), TimeUnit.NANOSECONDS);
    pending.future.whenComplete((value, failure) -> {
      byId.remove(pending.id, pending);
      timer.cancel(false);
    });
    return pending;
  }

  /** The request with {@code id}, or null. */
  Pending<?> get(String id) {
    return id == null ? null : byId.get(id);
  }

  /** Fails every request matching {@code which}. */
  void failAll(Predicate<Pending<?>> which, Supplier<? extends GridException> error) {
    for (Pending<?> pending : List.copyOf(byId.values())) {
      if (which.test(pending)) {
        pending.future.completeExceptionally(error.get());
      }
    }
  }

  /** How many requests are waiting. */
  int size() {
    return byId.size();
  }
}
