package io.warren.worker;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool on which the worker's broker connection delivers to its consumers. Instances run shared
 * calls on these threads (see {@link InstanceRunner}), so the pool grows with the calls that are
 * running instead of being fixed.
 *
 * <p>Why not amqp-client's default: a fixed pool of 2 threads per core, shared by every channel of
 * the connection. With service code on its threads, a few long calls would hold all of them, and
 * the other channels' deliveries (other instances' calls, the control queue's cancels) would wait
 * behind those calls. amqp-client gives a channel at most one thread at a time, so a growing pool
 * needs at most one thread per channel.
 *
 * <pre>
 * ExecutorService consumers = ConsumerThreads.create("warren-consumer-");
 * Connection connection = Connections.open(broker, name, consumers);
 * </pre>
 */
final class ConsumerThreads {
  private ConsumerThreads() {}

  /** Idle threads end after this. */
  private static final long KEEP_ALIVE_SECONDS = 60;

  /**
   * A pool of daemon threads named {@code prefix} and a number, with the caller's context class
   * loader (service code loads its types through it).
   */
  static ExecutorService create(String prefix) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    AtomicInteger count = new AtomicInteger();
    return new ThreadPoolExecutor(0, Integer.MAX_VALUE, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(),
        run -> {
          Thread thread = new Thread(run, prefix + count.incrementAndGet());
          thread.setDaemon(true);
          thread.setContextClassLoader(loader);
          return thread;
        });
  }
}
