package io.warren.amqp;

import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Timer threads for clients and workers. Warren schedules a timeout per call and cancels it when
 * the call completes, so almost every timer is cancelled long before it is due; the JDK's default
 * keeps a cancelled task (and the call it captures) queued until its delay ends — up to the
 * 10-minute call timeout, i.e. heap growing with every call. These executors drop a task from the
 * queue the moment it is cancelled.
 *
 * <pre>
 * ScheduledThreadPoolExecutor timers = Timers.daemon("warren-client-timers-" + id);
 * ScheduledFuture&lt;?&gt; timeout = timers.schedule(this::fail, 10, TimeUnit.MINUTES);
 * timeout.cancel(false); // gone from timers.getQueue() at once
 * </pre>
 */
public final class Timers {
  private Timers() {}

  /** One daemon transport thread ({@link TransportThreads}) named {@code threadName}; cancelled tasks leave the queue at once. */
  public static ScheduledThreadPoolExecutor daemon(String threadName) {
    // Daemon: timers must never keep a finished client or worker JVM alive.
    ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, run -> TransportThreads.newThread(run, threadName, true));
    timers.setRemoveOnCancelPolicy(true);
    return timers;
  }
}
