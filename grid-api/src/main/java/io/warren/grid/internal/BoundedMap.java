package io.warren.grid.internal;

import io.warren.grid.Outcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs a call for every item of a list with at most {@code maxInFlight} calls outstanding (the
 * NJobs pattern): each completion starts the next item. Every item gets an {@link Outcome}; one
 * failure does not stop the others. Results keep the order of the items.
 *
 * <p>Starts are trampolined: a call that is already complete when it is started (a closed grid,
 * a refused argument, {@code Grid.gather} over finished futures) asks for the next start, and the
 * thread already starting items does it in its loop instead of a nested frame. Without that, each
 * such item nested one frame deeper, and a few thousand of them overflowed the stack inside a
 * completion callback, where CompletableFuture swallowed the error and the map never completed.
 */
public final class BoundedMap<A, R> {
  private final List<A> items;
  private final Function<A, CompletableFuture<R>> start;
  private final List<Outcome<R>> outcomes;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger remaining;
  /** Starts asked for and not yet made; the thread that raises it from zero makes them all. */
  private final AtomicInteger startsOwed = new AtomicInteger();
  private final CompletableFuture<List<Outcome<R>>> done = new CompletableFuture<>();

  private BoundedMap(List<A> items, Function<A, CompletableFuture<R>> start) {
    this.items = List.copyOf(items);
    this.start = start;
    this.outcomes = new ArrayList<>(Collections.nCopies(items.size(), null));
    this.remaining = new AtomicInteger(items.size());
  }

  /** Starts the map; the future completes when every item has an outcome. */
  public static <A, R> CompletableFuture<List<Outcome<R>>> run(
      List<A> items, int maxInFlight, Function<A, CompletableFuture<R>> start) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be >= 1, was " + maxInFlight);
    }
    BoundedMap<A, R> map = new BoundedMap<>(items, start);
    if (items.isEmpty()) {
      map.done.complete(List.of());
    }
    for (int i = 0; i < Math.min(maxInFlight, items.size()); i++) {
      map.startNext();
    }
    return map.done;
  }

  private void startNext() {
    if (startsOwed.getAndIncrement() != 0) {
      return; // a thread is in the loop below and will make this start too
    }
    do {
      startOne();
    } while (startsOwed.decrementAndGet() != 0);
  }

  private void startOne() {
    int index = next.getAndIncrement();
    if (index >= items.size()) {
      return;
    }
    CompletableFuture<R> call;
    try {
      call = start.apply(items.get(index));
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    call.whenComplete((value, failure) -> {
      Outcome<R> outcome = failure == null ? new Outcome.Success<>(value) : new Outcome.Failure<>(unwrap(failure));
      synchronized (outcomes) {
        outcomes.set(index, outcome);
      }
      if (remaining.decrementAndGet() == 0) {
        synchronized (outcomes) {
          done.complete(List.copyOf(outcomes));
        }
      } else {
        startNext();
      }
    });
  }

  static Throwable unwrap(Throwable failure) {
    return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }
}
