package io.warren.grid.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallerRunsWhenRefusedTest {

  @Test
  void tasksRunOnTheExecutorWhileItTakesThemAndOnTheCallerOnceItRefuses() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor(run -> new Thread(run, "pool"));
    CallerRunsWhenRefused callbacks = new CallerRunsWhenRefused(pool);
    CompletableFuture<String> before = new CompletableFuture<>();
    callbacks.execute(() -> before.complete(Thread.currentThread().getName()));
    assertEquals("pool", before.get(30, TimeUnit.SECONDS));

    pool.shutdown();
    CompletableFuture<String> after = new CompletableFuture<>();
    // whenCompleteAsync on a refusing executor would otherwise drop the action and leave `after` pending.
    CompletableFuture.completedFuture("done")
        .whenCompleteAsync((value, failure) -> after.complete(Thread.currentThread().getName()), callbacks);
    assertEquals(Thread.currentThread().getName(), after.getNow("still pending"));
  }
}
