package io.warren.worker;

import io.warren.grid.GridUnavailableException;
import java.io.IOException;

/**
 * The worker runtime's entry point; see {@link WorkerOptions} for the command line. Exit codes: 0
 * after a clean drain, 2 for bad options or credentials, 3 when the broker is unreachable or the
 * connection is lost, 4 when the drain grace ran out.
 */
public final class WorkerMain {
  private WorkerMain() {}

  public static void main(String[] args) throws InterruptedException {
    WorkerOptions options;
    Worker worker;
    try {
      options = WorkerOptions.parse(args);
      worker = Worker.start(options, options.endpoint(System.getenv()));
    } catch (IllegalArgumentException e) {
      System.err.println("warren-worker: " + e.getMessage());
      System.exit(2);
      return;
    } catch (GridUnavailableException | IOException e) {
      System.err.println("warren-worker: " + e.getMessage());
      System.exit(3);
      return;
    }
    // SIGTERM (and a normal JVM exit) drains: running calls finish, unstarted ones are requeued.
    Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "warren-drain"));
    if (options.exitOnStdinEof()) {
      Thread watcher = new Thread(() -> {
        try {
          while (System.in.read() >= 0) {
            // the parent writes nothing; EOF means it is gone
          }
        } catch (IOException e) {
          // a broken pipe is an EOF too
        }
        worker.close();
      }, "warren-parent-watch");
      watcher.setDaemon(true);
      watcher.start();
    }
    System.exit(worker.awaitTermination());
  }
}
