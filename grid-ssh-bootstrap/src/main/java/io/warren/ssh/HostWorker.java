package io.warren.ssh;

import io.warren.ssh.HostFailure.Reason;
import java.time.Duration;

/**
 * The worker a farm started on one host, with the SSH session that started it. For an attached
 * worker the session is its lifeline: closing the worker's stdin (or losing the session) makes it
 * drain and exit. Not final: {@code FarmWorkersTest} stands in workers whose stop it controls.
 */
class HostWorker {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
  final HostSpec spec;
  final String workerId;
  final int slots;
  final ShipReport shipped;
  private final SshConnection connection;
  private final SshConnection.Attached attached;
  volatile boolean dropped;

  HostWorker(HostSpec spec, String workerId, int slots, ShipReport shipped, SshConnection connection,
      SshConnection.Attached attached) {
    this.spec = spec;
    this.workerId = workerId;
    this.slots = slots;
    this.shipped = shipped;
    this.connection = connection;
    this.attached = attached;
  }

  /** Whether the worker process has exited: seen on its channel, or (detached) from its pid file. */
  boolean exited() {
    if (attached != null) {
      return attached.exited();
    }
    try {
      return !connection.exec(WorkerLaunch.alive(spec, workerId), new byte[0], COMMAND_TIMEOUT).ok();
    } catch (HostException e) {
      return false; // cannot tell: the broker's heartbeats (or their absence) decide
    }
  }

  /** Ends the SSH session and leaves a detached worker running. */
  void detach() {
    connection.close();
  }

  /**
   * A failure record for this host with the tail of its log, and the worker's exit status when it is
   * known: only an attached worker's channel reports one (a detached worker's parent is nohup's shell).
   */
  HostFailure failure(Reason reason, String detail) {
    String status = attached != null && attached.exited() ? " (exit status " + attached.exitStatus() + ")" : "";
    return new HostFailure(spec.name(), reason, detail + status, logTail());
  }

  String logTail() {
    try {
      return connection.exec(WorkerLaunch.logTail(spec, workerId, 20), new byte[0], COMMAND_TIMEOUT).stdout();
    } catch (HostException e) {
      return "(log unavailable: " + e.failure().detail() + ")";
    }
  }

  /**
   * Stops the worker: it has already been asked to shut down through the broker; an attached worker's
   * stdin is closed, a detached one gets TERM (so it drains even if the broker is gone); after
   * {@code grace} it is killed. Then its credentials and pid files are removed, and the work dir too
   * if {@code cleanWorkDir}.
   */
  void stop(Duration grace, boolean cleanWorkDir) {
    try {
      if (attached != null) {
        attached.closeStdin();
        long deadline = System.nanoTime() + grace.toNanos();
        while (!attached.exited() && System.nanoTime() - deadline < 0) {
          Thread.sleep(50);
        }
      }
      if (connection.isConnected()) {
        if (attached == null || !attached.exited()) {
          connection.exec(WorkerLaunch.kill(spec, workerId, "TERM"), new byte[0], COMMAND_TIMEOUT);
          if (attached == null) {
            awaitDetachedExit(grace); // TERM is a detached worker's only drain signal: give it the grace
          }
          connection.exec(WorkerLaunch.kill(spec, workerId, "KILL"), new byte[0], COMMAND_TIMEOUT);
        }
        connection.exec(WorkerLaunch.cleanUp(spec, workerId), new byte[0], COMMAND_TIMEOUT);
        if (cleanWorkDir && !spec.sharedWorkDir()) {
          connection.exec(WorkerLaunch.removeWorkDir(spec), new byte[0], COMMAND_TIMEOUT);
        }
      }
    } catch (HostException e) {
      org.slf4j.LoggerFactory.getLogger(HostWorker.class).warn("stopping the worker on {}: {}", spec.name(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      connection.close();
    }
  }

  /** Waits up to {@code grace} for a detached worker's pid to be gone, asking the host every 100 ms. */
  private void awaitDetachedExit(Duration grace) throws InterruptedException {
    long deadline = System.nanoTime() + grace.toNanos();
    while (!exited() && System.nanoTime() - deadline < 0) {
      Thread.sleep(100);
    }
  }

  /** For a JVM shutdown hook: close stdin (the worker drains on its own) and drop the session. */
  void abandon() {
    if (attached != null) {
      attached.closeStdin();
    }
    connection.close();
  }

  /** Kills the worker at once (used when it failed to start or the farm gives up on it). */
  void kill() {
    try {
      if (connection.isConnected()) {
        connection.exec(WorkerLaunch.kill(spec, workerId, "KILL"), new byte[0], COMMAND_TIMEOUT);
        connection.exec(WorkerLaunch.cleanUp(spec, workerId), new byte[0], COMMAND_TIMEOUT);
      }
    } catch (HostException e) {
      // the host is gone or unreachable: nothing runs there that we could reach
    } finally {
      connection.close();
    }
  }
}
