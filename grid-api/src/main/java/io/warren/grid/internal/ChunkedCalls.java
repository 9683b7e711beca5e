package io.warren.grid.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * Calls sent in chunks: several calls of one method in one message, run by one instance one after
 * another, their results sent back together. A chunk costs the broker one request and one reply
 * instead of one of each per call, which is what bounds throughput on a small machine; the price is
 * that a chunk's calls do not spread over instances. Every call still gets its own future.
 */
public final class ChunkedCalls {
  private ChunkedCalls() {}

  /**
   * Records {@code call(proxy, item)} for every item, then sends each run of consecutive calls to the
   * same method of the same proxy as one chunk. Nothing is sent if a lambda does not make exactly
   * one proxy call (that is thrown); a chunk that cannot be sent (its lease was released, its
   * arguments cannot be encoded or exceed the message limit) fails the futures of its calls.
   */
  @SuppressWarnings("unchecked")
  public static <T, A, R> List<CompletableFuture<R>> send(
      T proxy, List<A> items, BiFunction<? super T, ? super A, ? extends R> call) {
    List<CallCapture.Recorded> recorded = new ArrayList<>(items.size());
    for (A item : items) {
      recorded.add(CallCapture.record(() -> call.apply(proxy, item)));
    }
    List<CompletableFuture<R>> results = new ArrayList<>(items.size());
    int from = 0;
    while (from < recorded.size()) {
      CallCapture.Recorded first = recorded.get(from);
      int to = from + 1;
      while (to < recorded.size() && recorded.get(to).sameCall(first)) {
        to++;
      }
      List<Object[]> args = recorded.subList(from, to).stream().map(CallCapture.Recorded::args).toList();
      try {
        for (CompletableFuture<Object> sent : first.proxy().invokeChunk(first.method(), args)) {
          results.add((CompletableFuture<R>) sent);
        }
      } catch (RuntimeException e) {
        for (int i = from; i < to; i++) {
          results.add(CompletableFuture.failedFuture(e));
        }
      }
      from = to;
    }
    return results;
  }

  /**
   * Calls {@code call(proxy, item)} for every item, {@code chunkSize} items per chunk, with at most
   * {@code maxInFlight} chunks outstanding; returns one future per item, in order. A chunk size of 1
   * sends every call as a plain call.
   */
  public static <T, A, R> List<CompletableFuture<R>> map(
      T proxy, List<A> items, int chunkSize, int maxInFlight, BiFunction<? super T, ? super A, ? extends R> call) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunkSize must be >= 1, was " + chunkSize);
    }
    List<A> copy = List.copyOf(items);
    List<CompletableFuture<R>> results = new ArrayList<>(copy.size());
    for (int i = 0; i < copy.size(); i++) {
      results.add(new CompletableFuture<>());
    }
    List<Integer> starts = new ArrayList<>();
    for (int from = 0; from < copy.size(); from += chunkSize) {
      starts.add(from);
    }
    BoundedMap.run(starts, maxInFlight, from -> {
      List<A> chunk = copy.subList(from, Math.min(from + chunkSize, copy.size()));
      List<CompletableFuture<R>> sent;
      try {
        sent = chunkSize == 1
            ? List.of(CallCapture.async(() -> call.apply(proxy, chunk.get(0))))
            : send(proxy, chunk, call);
      } catch (RuntimeException e) {
        sent = chunk.stream().map(item -> CompletableFuture.<R>failedFuture(e)).toList();
      }
      for (int k = 0; k < sent.size(); k++) {
        forward(sent.get(k), results.get(from + k));
      }
      return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).handle((value, failure) -> null);
    });
    return results;
  }

  /** Completes {@code to} as {@code from} completes; cancelling {@code to} cancels {@code from}. */
  private static <R> void forward(CompletableFuture<R> from, CompletableFuture<R> to) {
    from.whenComplete((value, failure) -> {
      if (failure == null) {
        to.complete(value);
      } else {
        to.completeExceptionally(BoundedMap.unwrap(failure));
      }
    });
    Futures.cancelPropagatesTo(to, from);
  }
}
