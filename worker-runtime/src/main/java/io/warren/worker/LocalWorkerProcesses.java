package io.warren.worker;

import io.warren.grid.GridException;
import io.warren.grid.GridUnavailableException;
import io.warren.grid.spi.ProvisionedWorkers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * The processes started by {@link LocalWorkers}. Closing drains them in parallel; a JVM shutdown
 * hook kills any still running if the owner never closed them.
 */
public final class LocalWorkerProcesses implements ProvisionedWorkers {
  private final List<LocalWorkerProcess> processes;
  private final Duration stopGrace;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread killOnExit;

  LocalWorkerProcesses(List<LocalWorkerProcess> processes, Duration stopGrace) {
    this.processes = List.copyOf(processes);
    this.stopGrace = stopGrace;
    this.killOnExit = new Thread(() -> this.processes.forEach(LocalWorkerProcess::kill), "warren-kill-local-workers");
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  @Override
  public Set<String> workerIds() {
    return processes.stream().map(p -> p.id).collect(Collectors.toCollection(LinkedHashSet::new));
  }

  @Override
  public Optional<GridException> failure() {
    return processes.stream().map(LocalWorkerProcess::failure).flatMap(Optional::stream).findFirst()
        .map(why -> new GridUnavailableException("a worker failed to start: " + why));
  }

  /** Each worker's OS process, by id: for tests and tools that need to signal one. */
  public Map<String, ProcessHandle> handles() {
    return processes.stream().collect(Collectors.toMap(p -> p.id, LocalWorkerProcess::handle));
  }

  /** Each worker's log file, by id. */
  public Map<String, Path> logs() {
    return processes.stream().collect(Collectors.toMap(p -> p.id, LocalWorkerProcess::log));
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    CompletableFuture.allOf(processes.stream()
            .map(p -> CompletableFuture.runAsync(() -> p.stop(stopGrace.toMillis())))
            .toArray(CompletableFuture[]::new))
        .join();
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs and finds nothing alive
    }
  }

}
