package io.warren.worker;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool on which the worker's broker connection delivers to its consumers. Instances run shared
 * calls on these threads (see {@link InstanceRunner}), so the pool is sized by the instances the
 * worker hosts, not fixed.
 *
 * <p>Why not amqp-client's default: a fixed pool of 2 threads per core, shared by every channel of
 * the connection. With service code on its threads, a few long calls would hold all of them, and
 * the other channels' deliveries (other instances' calls, the control queue's cancels) would wait
 * behind those calls. Here every instance has {@value #THREADS_PER_INSTANCE} threads to itself
 * (its running call, and a call waiting for a cancelled one to unwind) and {@value #SPARE_THREADS}
 * more serve the channels that never run service code (control, heartbeats, instance queues).
 *
 * <p>Why a work queue and not a pool that grows per task (a cached pool): handing each task to an
 * idle thread through a {@code SynchronousQueue} took 15% of the worker's CPU samples with 4
 * instances at prefetch 20 (async-profiler, issue 5 round 6).
 *
 * <pre>
 * ConsumerThreads consumers = new ConsumerThreads("warren-consumer-");
 * Connection connection = Connections.open(broker, name, consumers.executor());
 * consumers.fit(instances); // before an instance starts consuming
 * </pre>
 */
final class ConsumerThreads {
  static final int THREADS_PER_INSTANCE = 2;
  static final int SPARE_THREADS = 4;
  /** Idle threads end after this; the next task starts a new one. */
  private static final long KEEP_ALIVE_SECONDS = 60;

  private final ThreadPoolExecutor pool;

  /**
   * Daemon threads named {@code prefix} and a number, with the caller's context class loader
   * (service code loads its types through it).
   */
  ConsumerThreads(String prefix) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    AtomicInteger count = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(SPARE_THREADS, SPARE_THREADS, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), run -> {
          Thread thread = new Thread(run, prefix + count.incrementAndGet());
          thread.setDaemon(true);
          thread.setContextClassLoader(loader);
          return thread;
        });
    pool.allowCoreThreadTimeOut(true);
  }

  /** The executor to hand to amqp-client. */
  ExecutorService executor() {
    return pool;
  }

  /** Sizes the pool for {@code instances}; call it before more instances start consuming. */
  synchronized void fit(int instances) {
    int size = SPARE_THREADS + THREADS_PER_INSTANCE * instances;
    if (size > pool.getMaximumPoolSize()) { // the maximum first: the core may never exceed it
      pool.setMaximumPoolSize(size);
      pool.setCorePoolSize(size);
    } else {
      pool.setCorePoolSize(size);
      pool.setMaximumPoolSize(size);
    }
  }

  /** Threads in the pool now, busy or idle (for tests). */
  int threads() {
    return pool.getPoolSize();
  }

  /** Tasks waiting for a thread (for tests). */
  int waiting() {
    return pool.getQueue().size();
  }

  /** Lets running tasks finish; a call still running keeps its (daemon) thread. */
  void shutdown() {
    pool.shutdown();
  }
}
