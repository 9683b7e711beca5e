package io.warren.grid.internal;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The grid's callback executor as its futures see it: a task the underlying executor refuses runs
 * on the thread that handed it over, as {@code ThreadPoolExecutor.CallerRunsPolicy} would.
 *
 * <p>Why: a future completed through {@code whenCompleteAsync(action, executor)} whose executor
 * refuses the action never runs it; the refusal lands in a derived future nobody holds, and the
 * future the caller holds stays incomplete for ever. The grid's own pool refuses everything once
 * {@code Grid.close()} has shut it down, so an {@code acquire} after close, or a release racing it,
 * would hang. A caller's executor may refuse too (shut down, or a bounded queue that is full).
 * Running the task here keeps the promise that every future completes.
 *
 * <pre>{@code
 * Executor callbacks = new CallerRunsWhenRefused(CallbackPool.create());
 * grant.whenCompleteAsync((granted, failure) -> lease.complete(...), callbacks);
 * }</pre>
 */
public final class CallerRunsWhenRefused implements Executor {
  private final Executor delegate;

  public CallerRunsWhenRefused(Executor delegate) {
    this.delegate = requireNonNull(delegate, "delegate == null");
  }

  @Override
  public void execute(Runnable task) {
    try {
      delegate.execute(task);
    } catch (RejectedExecutionException refused) {
      task.run();
    }
  }
}
