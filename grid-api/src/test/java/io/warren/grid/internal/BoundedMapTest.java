package io.warren.grid.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BoundedMapTest {

  @Test
  void neverStartsMoreThanTheBoundAndKeepsOrder() throws Exception {
    List<CompletableFuture<Integer>> started = new ArrayList<>();
    List<Integer> items = IntStream.range(0, 10).boxed().toList();
    int[] maxOutstanding = {0};
    CompletableFuture<List<Outcome<Integer>>> done = BoundedMap.run(items, 3, item -> {
      CompletableFuture<Integer> call = new CompletableFuture<>();
      synchronized (started) {
        started.add(call);
        long outstanding = started.stream().filter(f -> !f.isDone()).count();
        maxOutstanding[0] = (int) Math.max(maxOutstanding[0], outstanding);
      }
      return call;
    });
    assertEquals(3, started.size());
    // Complete in reverse order of start, failing item 4.
    for (int completed = 0; completed < 10; completed++) {
      CompletableFuture<Integer> next;
      int index;
      synchronized (started) {
        index = lastOpen(started);
        next = started.get(index);
      }
      if (index == 4) {
        next.completeExceptionally(new IllegalStateException("item 4"));
      } else {
        next.complete(index * 10);
      }
    }
    List<Outcome<Integer>> outcomes = done.get(5, TimeUnit.SECONDS);
    assertEquals(3, maxOutstanding[0]);
    assertEquals(10, outcomes.size());
    for (int i = 0; i < 10; i++) {
      if (i == 4) {
        assertFalse(outcomes.get(i).isSuccess());
        assertEquals("item 4", outcomes.get(i).failure().getMessage());
      } else {
        assertEquals(i * 10, outcomes.get(i).value());
      }
    }
  }

  @Test
  void emptyListCompletesAtOnce() {
    assertTrue(BoundedMap.run(List.of(), 2, i -> CompletableFuture.completedFuture(i)).isDone());
  }

  @Test
  void itemsThatCompleteAsTheyStartDoNotNestOneFrameEach() {
    // 200,000 inline completions nested one frame each would overflow any default stack.
    List<Integer> items = IntStream.range(0, 200_000).boxed().toList();
    CompletableFuture<List<Outcome<Integer>>> done = BoundedMap.run(items, 4, i -> i % 2 == 0
        ? CompletableFuture.completedFuture(i)
        : CompletableFuture.failedFuture(new IllegalStateException("item " + i)));
    assertTrue(done.isDone(), "every item completed as it started, so the map is done on return");
    List<Outcome<Integer>> outcomes = done.join();
    assertEquals(200_000, outcomes.size());
    assertEquals(199_998, outcomes.get(199_998).value());
    assertEquals("item 199999", outcomes.get(199_999).failure().getMessage());
  }

  private static int lastOpen(List<CompletableFuture<Integer>> started) {
    for (int i = started.size() - 1; i >= 0; i--) {
      if (!started.get(i).isDone()) {
        return i;
      }
    }
    throw new AssertionError("nothing open");
  }
}
