package io.warren.amqp;

import io.warren.grid.GridUnavailableException;
import io.warren.grid.InstanceInfo;
import io.warren.grid.ServiceId;
import io.warren.grid.ServiceInfo;
import io.warren.grid.WorkerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The workers a client knows of, from their heartbeats. A worker that says it is {@code DOWN}, or
 * misses three heartbeat intervals, is dropped and reported to the loss listener exactly once.
 * Waiting for workers sleeps on a monitor woken by each heartbeat (no polling). Thread-safe.
 */
final class WorkerDirectory {
  /** Heartbeats missed before a worker counts as lost. */
  static final int MISSED_HEARTBEATS = 3;

  /** Told of each worker the directory drops, once. */
  interface LossListener {
    /**
     * {@code workerId} is gone: {@code saidDown} if its last heartbeat said {@code DOWN} (it stopped
     * after answering what it had taken), false if it fell silent.
     */
    void lost(String workerId, boolean saidDown);
  }

  private record Entry(Heartbeat heartbeat, long receivedNanos, Instant receivedAt) {}

  private final Map<String, Entry> live = new HashMap<>();
  private final LossListener onLost;

  WorkerDirectory(LossListener onLost) {
    this.onLost = onLost;
  }

  /**
   * Records a heartbeat; returns its instances that have bound a new instance queue since the
   * worker's heartbeat before (an instance not listed then counts from binding 1, the first queue).
   */
  List<Heartbeat.Instance> accept(Heartbeat heartbeat) {
    boolean down = Heartbeat.DOWN.equals(heartbeat.state());
    Entry before;
    synchronized (this) {
      before = down
          ? live.remove(heartbeat.workerId())
          : live.put(heartbeat.workerId(), new Entry(heartbeat, System.nanoTime(), Instant.now()));
      notifyAll();
    }
    if (down) {
      if (before != null) {
        onLost.lost(heartbeat.workerId(), true);
      }
      return List.of(); // gone: its loss fails what was bound to it
    }
    return rebound(before == null ? List.of() : before.heartbeat().instances(), heartbeat.instances());
  }

  private static List<Heartbeat.Instance> rebound(List<Heartbeat.Instance> before, List<Heartbeat.Instance> now) {
    List<Heartbeat.Instance> rebound = new ArrayList<>();
    for (Heartbeat.Instance instance : now) {
      int previous = before.stream()
          .filter(b -> b.number() == instance.number() && b.service().equals(instance.service()))
          .mapToInt(Heartbeat.Instance::binding)
          .findFirst().orElse(1);
      if (instance.binding() > previous) {
        rebound.add(instance);
      }
    }
    return rebound;
  }

  /** Drops workers whose heartbeats stopped; called periodically. */
  void sweep() {
    List<String> lost = new ArrayList<>();
    long now = System.nanoTime();
    synchronized (this) {
      live.values().removeIf(entry -> {
        long allowed = Duration.ofMillis(entry.heartbeat().intervalMillis()).toNanos() * MISSED_HEARTBEATS;
        boolean silent = now - entry.receivedNanos() > allowed;
        if (silent) {
          lost.add(entry.heartbeat().workerId());
        }
        return silent;
      });
    }
    lost.forEach(workerId -> onLost.lost(workerId, false));
  }

  /** True while {@code workerId} is known and not lost. */
  synchronized boolean isLive(String workerId) {
    return live.containsKey(workerId);
  }

  /** Workers in state {@code UP}, ordered by id: the candidates for new instances. */
  synchronized List<Heartbeat> upWorkers() {
    return live.values().stream()
        .map(Entry::heartbeat)
        .filter(h -> Heartbeat.UP.equals(h.state()))
        .sorted(Comparator.comparing(Heartbeat::workerId))
        .toList();
  }

  /** Blocks until all {@code ids} are up. */
  void awaitUp(Set<String> ids, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (true) {
        Set<String> missing = new TreeSet<>(ids);
        for (Heartbeat h : upWorkers()) {
          missing.remove(h.workerId());
        }
        if (missing.isEmpty()) {
          return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new GridUnavailableException("workers did not report within " + timeout + ": " + missing);
        }
        wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  /** Public view of the live workers. */
  synchronized List<WorkerInfo> workers() {
    return live.values().stream()
        .sorted(Comparator.comparing(e -> e.heartbeat().workerId()))
        .map(e -> {
          Heartbeat h = e.heartbeat();
          return new WorkerInfo(
              h.workerId(), h.host(), h.pid(), h.slots(), h.state(), h.busy(), h.load(),
              Duration.ofMillis(h.intervalMillis()), e.receivedAt(), instancesOf(h));
        })
        .toList();
  }

  /** A service as the live workers' heartbeats describe it, if any of them hosts it. */
  synchronized Optional<ServiceInfo> service(ServiceId service) {
    List<InstanceInfo> instances = new ArrayList<>();
    String implementation = null;
    String name = null;
    for (Entry entry : live.values()) {
      for (Heartbeat.Instance instance : entry.heartbeat().instances()) {
        if (instance.service().equals(service.value())) {
          instances.add(toInfo(entry.heartbeat(), instance));
          implementation = instance.implementation();
          name = instance.name();
        }
      }
    }
    if (instances.isEmpty()) {
      return Optional.empty();
    }
    instances.sort(Comparator.comparingInt(InstanceInfo::number));
    return Optional.of(new ServiceInfo(service, Optional.ofNullable(name), implementation, instances));
  }

  private static List<InstanceInfo> instancesOf(Heartbeat h) {
    return h.instances().stream().map(i -> toInfo(h, i)).toList();
  }

  private static InstanceInfo toInfo(Heartbeat h, Heartbeat.Instance i) {
    return new InstanceInfo(new ServiceId(i.service()), i.number(), h.workerId(), Optional.ofNullable(i.lease()));
  }
}
