package io.warren.amqp;

import io.warren.grid.GridException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
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
  private volatile Supplier<? extends GridException> closedWith;

  PendingRequests(ScheduledExecutorService timers) {
    this.timers = timers;
  }

  /** Adds {@code pending}; it fails with {@code onTimeout} if nothing completes it in {@code timeout}. */
  <T> Pending<T> add(Pending<T> pending, Duration timeout, Supplier<? extends GridException> onTimeout) {
    byId.put(pending.id, pending);
    ScheduledFuture<?> timer;
    try {
      timer = timers.schedule(() -> pending.future.completeExceptionally(onTimeout.get()), timeout.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException stopped) {
      timer = null; // the timers stop only after close(), so closedWith is set and fails it below
    }
    ScheduledFuture<?> started = timer;
    pending.future.whenComplete((value, failure) -> {
      byId.remove(pending.id, pending);
      if (started != null) {
        started.cancel(false);
      }
    });
    // After the put: close() sets closedWith before it fails what is in the table, so a request
    // added while it runs is failed by one or the other, never left with no reply and no timer.
    Supplier<? extends GridException> closing = closedWith;
    if (closing != null) {
      pending.future.completeExceptionally(closing.get());
    }
    return pending;
  }

  /** Fails every request waiting now, and every one added from now on, with {@code reason}. */
  void close(Supplier<? extends GridException> reason) {
    closedWith = reason;
    failAll(p -> true, reason);
  }

  /** The request with {@code id}, or null. */
  Pending<?> get(String id) {
    return id == null ? null : byId.get(id);
  }

  /** The requests waiting now that match {@code which}. */
  List<Pending<?>> matching(Predicate<Pending<?>> which) {
    return byId.values().stream().filter(which).toList();
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
