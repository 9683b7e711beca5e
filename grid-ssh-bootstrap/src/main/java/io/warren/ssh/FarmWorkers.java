package io.warren.ssh;

import io.warren.grid.GridException;
import io.warren.grid.spi.ProvisionedWorkers;
import io.warren.ssh.HostFailure.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers an {@link SshFarm} started, one per host. A worker that exits during start-up or
 * stays silent on the broker is dropped with a {@link HostFailure}; the farm fails only when fewer
 * than its minimum of hosts remain. Thread-safe.
 */
public final class FarmWorkers implements ProvisionedWorkers {
  private static final Logger log = LoggerFactory.getLogger(FarmWorkers.class);
  private final List<HostWorker> workers;
  private final List<HostFailure> failures;
  private final int minHosts;
  private final Duration stopGrace;
  private final boolean cleanWorkDir;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread onExit;

  FarmWorkers(List<HostWorker> workers, List<HostFailure> failures, int minHosts, Duration stopGrace, boolean cleanWorkDir) {
    this.workers = List.copyOf(workers);
    this.failures = Collections.synchronizedList(new ArrayList<>(failures));
    this.minHosts = minHosts;
    this.stopGrace = stopGrace;
    this.cleanWorkDir = cleanWorkDir;
    // If the client JVM exits without closing the grid, end the sessions: the workers drain and exit.
    this.onExit = new Thread(() -> this.workers.forEach(HostWorker::abandon), "warren-ssh-farm-exit");
    Runtime.getRuntime().addShutdownHook(onExit);
  }

  @Override
  public Set<String> workerIds() {
    return live().stream().map(w -> w.workerId).collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /** The live workers' ids by host name. */
  public Map<String, String> workersByHost() {
    return live().stream().collect(Collectors.toMap(w -> w.spec.name(), w -> w.workerId, (a, b) -> a, java.util.LinkedHashMap::new));
  }

  /** Every host failure so far, in the order they happened: at start-up and since. */
  public List<HostFailure> hostFailures() {
    synchronized (failures) {
      return List.copyOf(failures);
    }
  }

  /** What shipping did on each host that came up. */
  public List<ShipReport> shipReports() {
    return workers.stream().map(w -> w.shipped).toList();
  }

  /** Drops any worker whose process already exited; fails if too few remain. */
  @Override
  public Optional<GridException> failure() {
    for (HostWorker worker : live()) {
      if (worker.exited()) {
        drop(worker, worker.failure(Reason.START_FAILED, "the worker exited during start-up"));
      }
    }
    return tooFew();
  }

  /** Drops the workers that never announced themselves on the broker; fails if too few remain. */
  @Override
  public void notReady(Set<String> silent) {
    for (HostWorker worker : live()) {
      if (silent.contains(worker.workerId)) {
        drop(worker, worker.failure(Reason.START_FAILED,
            "the worker did not announce itself on the broker within the start-up timeout"));
      }
    }
    Optional<GridException> failure = tooFew();
    if (failure.isPresent()) {
      throw failure.get();
    }
  }

  private void drop(HostWorker worker, HostFailure failure) {
    worker.dropped = true;
    failures.add(failure);
    log.warn("host left out: {}", failure.describe());
    worker.kill();
  }

  private Optional<GridException> tooFew() {
    int up = live().size();
    return up >= minHosts ? Optional.empty() : Optional.of(new FarmProvisioningException(minHosts, up, hostFailures()));
  }

  private List<HostWorker> live() {
    return workers.stream().filter(w -> !w.dropped).toList();
  }

  /**
   * Leaves the workers running and ends this JVM's SSH sessions: for detached farms
   * ({@code warren up}). Closing afterwards does nothing.
   */
  public void detach() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    live().forEach(HostWorker::detach);
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException e) {
      // the JVM is already exiting
    }
  }

  /**
   * Stops every worker at once, each on a thread of its own: stdin closed (they drain), killed after
   * the grace period, credentials removed. So stopping takes about one grace period however many
   * hosts there are. Idempotent.
   *
   * @throws io.warren.grid.GridUnavailableException if interrupted: the stops are interrupted too and
   *     end their sessions, so attached workers still drain and exit on their own
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      OnEveryHost.eachWorker("stopping the farm", live(), w -> w.stop(stopGrace, cleanWorkDir));
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(onExit);
      } catch (IllegalStateException e) {
        // the JVM is already exiting: the hook finds the sessions closed
      }
    }
  }
}
