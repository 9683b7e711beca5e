package io.warren.amqp;

/**
 * The threads the transport itself runs on: amqp-client's connection reader and consumer threads
 * (through {@link Connections}) and the timer threads ({@link Timers}). They deliver replies and
 * fire timeouts, so a thread among them that waits for a reply may wait for what only it can deliver.
 *
 * <p>Why a mark at all: by default a grid completes every result on its own callback pool, and no
 * user code runs here. A grid given a direct callback executor ({@code
 * Grid.Builder.callbackExecutor(Runnable::run)}) runs callbacks here instead; the backend then refuses
 * blocking calls from these threads at once ({@link AmqpGridBackend#checkMayBlock}) rather than
 * holding every reply of the connection up until the call's timeout.
 *
 * <pre>
 * Thread reader = TransportThreads.newThread(run, "warren-client-amqp-1", false);
 * TransportThreads.isCurrent(); // true on reader, false on the caller's thread
 * </pre>
 */
final class TransportThreads {
  private TransportThreads() {}

  /** A thread the transport runs on, marked as such. */
  private static final class TransportThread extends Thread {
    TransportThread(Runnable run, String name) {
      super(run, name);
    }
  }

  /** A new, unstarted transport thread named {@code name}. */
  static Thread newThread(Runnable run, String name, boolean daemon) {
    Thread thread = new TransportThread(run, name);
    thread.setDaemon(daemon);
    return thread;
  }

  /** Whether the calling thread is one of the transport's. */
  static boolean isCurrent() {
    return Thread.currentThread() instanceof TransportThread;
  }
}
