package io.warren.worker;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Runs an instance's tasks one at a time, in queue order, holding one lock: whoever holds it owns
 * the instance's state and channels. Tasks on the hot path (a delivery, a finished call) run at once
 * on the thread that produced them when nobody else is running tasks; everything else, and any task
 * the {@code loopOnly} test picks, runs on the loop's own thread.
 *
 * <p>Why: handing every delivery to a loop thread, then to the call thread, then back to the loop
 * costs three thread wake-ups per call (issue 5 measured about 7 futex calls per call on the worker).
 * Running a delivery on the client library's consumer thread and a completion on the call thread
 * that just finished leaves one: consumer thread to call thread. Tasks that may close or reopen
 * channels, or that other threads send while a call runs (cancel, early ack, stop), stay on the
 * loop thread, which is free while the call thread runs service code.
 *
 * <pre>
 * TaskLoop&lt;Task&gt; loop = new TaskLoop&lt;&gt;("warren-instance-x", this::handle, t -&gt; t instanceof Stop);
 * loop.start();
 * loop.runHere(delivery); // on a consumer thread
 * loop.post(new Cancel(id)); // from any thread
 * </pre>
 *
 * <p>Thread-safe. Tasks never run concurrently; a task posted from inside a running task runs after
 * it, on the same drain, never nested.
 *
 * @param <T> the task type
 */
final class TaskLoop<T> {
  /** Handles one task; returns true when the loop has stopped for good. */
  @FunctionalInterface
  interface Handler<T> {
    boolean handle(T task) throws Exception;
  }

  private final ConcurrentLinkedDeque<T> tasks = new ConcurrentLinkedDeque<>();
  private final ReentrantLock owner = new ReentrantLock();
  private final Semaphore wakeups = new Semaphore(0);
  private final Handler<T> handler;
  private final Predicate<T> loopOnly;
  private final Thread thread;
  private final BiConsumer<T, Exception> onFailure;
  private volatile boolean started;
  private volatile boolean stopped;

  /**
   * @param threadName the loop thread's name
   * @param handler runs each task, under the lock
   * @param loopOnly tasks that must run on the loop thread (tested under the lock)
   * @param onFailure told about a task that threw; the loop goes on
   */
  TaskLoop(String threadName, Handler<T> handler, Predicate<T> loopOnly, BiConsumer<T, Exception> onFailure) {
    this.handler = handler;
    this.loopOnly = loopOnly;
    this.onFailure = onFailure;
    this.thread = new Thread(this::loop, threadName);
    this.thread.setDaemon(true);
  }

  /** Starts the loop thread; until then every task waits for it (the owner is still setting up). */
  void start() {
    started = true;
    thread.start();
    wakeups.release(); // for tasks queued before
  }

  /** Queues {@code task} for the loop thread, behind the tasks already queued. */
  void post(T task) {
    tasks.addLast(task);
    wakeups.release();
  }

  /** Queues {@code task} for the loop thread ahead of the others (cancels, stops). */
  void postFirst(T task) {
    tasks.addFirst(task);
    wakeups.release();
  }

  /**
   * Runs {@code task} on this thread if no other thread is running tasks, after those queued before
   * it; else queues it for whoever is. Never nests inside a running task.
   */
  void runHere(T task) {
    tasks.addLast(task);
    if (!started) {
      return; // the loop thread takes it once the owner has finished setting up
    }
    if (owner.isHeldByCurrentThread()) {
      return; // posted from inside a task (e.g. a cancel completing a call): the running drain takes it
    }
    drain(false);
  }

  /** A task still queued, or null; for a handler that is stopping and must answer what is left. */
  T poll() {
    return tasks.pollFirst();
  }

  private void loop() {
    while (!stopped) {
      try {
        wakeups.acquire();
      } catch (InterruptedException e) {
        return;
      }
      wakeups.drainPermits(); // one drain serves every wake-up sent so far
      drain(true);
    }
  }

  /** Runs queued tasks while this thread can own the loop; re-checks after letting go, so none is left behind. */
  private void drain(boolean onLoopThread) {
    while (!stopped && !tasks.isEmpty()) {
      if (onLoopThread) {
        owner.lock();
      } else if (!owner.tryLock()) {
        return; // the owner re-checks the queue after it lets go
      }
      try {
        if (!runQueued(onLoopThread)) {
          wakeups.release(); // a loop-only task is next: the loop thread takes over from here
          return;
        }
      } finally {
        owner.unlock();
      }
    }
  }

  /** Runs tasks until the queue is empty (true) or, off the loop thread, a loop-only task is next (false). */
  private boolean runQueued(boolean onLoopThread) {
    for (T task; !stopped && (task = tasks.pollFirst()) != null; ) {
      if (!onLoopThread && loopOnly.test(task)) {
        tasks.addFirst(task); // back where it was
        return false;
      }
      try {
        if (handler.handle(task)) {
          stopped = true;
        }
      } catch (Exception e) {
        onFailure.accept(task, e);
      }
    }
    return true;
  }
}
