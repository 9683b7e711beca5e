package io.warren.grid.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor a grid completes async results on unless it is given another
 * ({@code Grid.Builder.callbackExecutor}): never a transport thread, so callbacks may block.
 *
 * <p>It is a work-queue pool ({@link ForkJoinPool} in FIFO mode), not a hand-off pool. A cached
 * thread pool hands every task to an idle thread through a {@code SynchronousQueue}, so each reply
 * cost one thread wake-up and one park: the benchmarks measured that at about a third of the client's
 * CPU per pipelined call. Here a busy thread takes the next reply from the queue without sleeping.
 *
 * <p>Blocking keeps working as it did. A callback that waits for another grid call (a synchronous
 * proxy call, or {@code join}/{@code get} on a grid future) blocks through the pool's managed
 * blocking, and the pool starts a spare thread while it waits, so callbacks that wait for each other
 * do not deadlock. At least two threads run callbacks, so one callback that blocks on anything else
 * does not stop the others. Idle threads end after a minute.
 *
 * <pre>{@code
 * ExecutorService callbacks = CallbackPool.create();
 * future.thenApplyAsync(decode, callbacks);
 * }</pre>
 */
public final class CallbackPool {
  /** The most threads, spares included: as unbounded as the cached pool this replaces. */
  private static final int MAX_THREADS = 0x7fff;
  private static final long KEEP_ALIVE_SECONDS = 60;

  private CallbackPool() {}

  /**
   * A new pool of daemon threads named {@code warren-callback-N}, whose context class loader is the
   * calling thread's (the one building the grid), as a cached pool's threads would inherit it.
   */
  public static ExecutorService create() {
    int parallelism = Math.max(2, Runtime.getRuntime().availableProcessors());
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    AtomicInteger count = new AtomicInteger();
    ForkJoinPool.ForkJoinWorkerThreadFactory threads = pool -> {
      ForkJoinWorkerThread thread = new ForkJoinWorkerThread(pool) {};
      thread.setName("warren-callback-" + count.incrementAndGet());
      thread.setDaemon(true);
      thread.setContextClassLoader(loader);
      return thread;
    };
    return new ForkJoinPool(parallelism, threads, null, true,
        0, MAX_THREADS, 1, null, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
  }
}
