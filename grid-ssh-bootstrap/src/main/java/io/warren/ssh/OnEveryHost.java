package io.warren.ssh;

import io.warren.grid.GridUnavailableException;
import io.warren.ssh.HostFailure.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs one task per host on threads of its own and waits for all of them. Host tasks block on SSH
 * (connecting, copying, a stop's grace), so they never run on the common fork-join pool, whose few
 * threads would make many hosts wait in turns.
 */
final class OnEveryHost {
  private OnEveryHost() {}

  /** A task on one host; a {@link HostException} leaves that host out. */
  @FunctionalInterface
  interface HostTask<H, T> {
    T run(H host) throws HostException;
  }

  /** What a task did on every host: the results of those it succeeded on, and why the others failed. */
  record HostResults<T>(List<T> done, List<HostFailure> failed) {}

  /**
   * Runs {@code task} on each of {@code hosts}, at most {@code parallelism} at once, and waits for all
   * of them; {@code name} names a host in a failure that is not a {@link HostException}.
   *
   * @throws GridUnavailableException naming {@code what} if interrupted: the tasks are interrupted too
   */
  static <H, T> HostResults<T> run(String what, List<H> hosts, Function<H, String> name, int parallelism,
      HostTask<H, T> task) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelism, hosts.size())), run -> {
      Thread thread = new Thread(run, "warren-ssh-hosts");
      thread.setDaemon(true);
      return thread;
    });
    List<Future<T>> futures = new ArrayList<>();
    try {
      for (H host : hosts) {
        futures.add(pool.submit(() -> task.run(host)));
      }
      List<T> done = new ArrayList<>();
      List<HostFailure> failed = new ArrayList<>();
      for (int i = 0; i < futures.size(); i++) {
        try {
          done.add(futures.get(i).get());
        } catch (ExecutionException e) {
          failed.add(e.getCause() instanceof HostException h ? h.failure()
              : new HostFailure(name.apply(hosts.get(i)), Reason.SSH_ERROR, String.valueOf(e.getCause()), ""));
        }
      }
      return new HostResults<>(done, failed);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      futures.forEach(f -> f.cancel(true));
      throw new GridUnavailableException("interrupted while " + what, e);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Runs {@code action} on every worker at once, one thread each (a stop may wait out its grace on
   * each host), and waits for all of them.
   */
  static void eachWorker(String what, List<HostWorker> workers, Consumer<HostWorker> action) {
    run(what, workers, w -> w.spec.name(), workers.size(), w -> {
      action.accept(w);
      return w;
    });
  }
}
