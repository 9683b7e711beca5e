package io.warren.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.Grid;
import io.warren.grid.Lease;
import io.warren.grid.LostInstanceException;
import io.warren.grid.NoInstanceException;
import io.warren.grid.Outcome;
import io.warren.grid.PublishOptions;
import io.warren.grid.ServiceId;
import io.warren.grid.WorkerInfo;
import io.warren.worker.LocalWorkers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Workers going away: killed (SIGKILL) with work in flight, and drained (SIGTERM). Nothing hangs,
 * every future ends with a result or a typed error, and stateless work moves to the survivor.
 */
abstract class AbstractLostWorkerIT {
  private static final Duration HEARTBEAT = Duration.ofMillis(300);

  protected abstract BrokerUnderTest startBroker() throws Exception;

  private Grid grid(BrokerUnderTest broker, int prefetch, String logs) {
    return grid(broker, prefetch, logs, List.of());
  }

  private Grid grid(BrokerUnderTest broker, int prefetch, String logs, List<String> workerArguments) {
    return Grid.builder()
        .broker(broker.uri())
        .credentials(broker.username(), broker.password())
        .workers(LocalWorkers.builder().count(2).slots(1).heartbeatInterval(HEARTBEAT).workerArguments(workerArguments)
            .logDirectory(Path.of("target", "worker-logs", getClass().getSimpleName(), logs)).build())
        .callTimeout(Duration.ofSeconds(60))
        .prefetch(prefetch)
        .build();
  }

  @Test
  void killedWorkerFailsItsLeasesWithLostInstanceAndItsOnlyServiceWithNoInstance() throws Exception {
    try (BrokerUnderTest broker = startBroker(); Grid grid = grid(broker, 1, "killed")) {
      ServiceId pair = grid.publish(new TallyService(), PublishOptions.defaults().instances(2));
      ServiceId solo = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
      String victimId = grid.describe(solo).instances().get(0).workerId();
      WorkerInfo victim = grid.workers().stream().filter(w -> w.id().equals(victimId)).findFirst().orElseThrow();

      Lease<Tally> a = grid.acquire(pair, Tally.class, Duration.ofSeconds(10));
      Lease<Tally> b = grid.acquire(pair, Tally.class, Duration.ofSeconds(10));
      Lease<Tally> onVictim = a.workerId().equals(victimId) ? a : b;
      Lease<Tally> onSurvivor = onVictim == a ? b : a;
      assertNotEquals(onVictim.workerId(), onSurvivor.workerId());
      CompletableFuture<String> inFlight = onVictim.async(t -> t.appendSlowly(1, 10_000));
      CompletableFuture<String> soloInFlight = Grid.async(grid.proxy(solo, Tally.class), t -> t.appendSlowly(1, 10_000));
      Thread.sleep(300); // both calls are running on the victim

      long killedAt = System.nanoTime();
      ProcessHandle.of(victim.pid()).orElseThrow().destroyForcibly();
      ExecutionException lost = assertThrows(ExecutionException.class, () -> inFlight.get(20, TimeUnit.SECONDS));
      assertInstanceOf(LostInstanceException.class, lost.getCause());
      long detectedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      System.out.printf("[figure] %s: leased call failed with LostInstance %d ms after its worker was killed%n",
          getClass().getSimpleName(), detectedMillis);
      // Three missed heartbeats (900 ms) plus scheduling slack; far less than the 10 s call.
      assertTrue(detectedMillis < 5_000, "lost instance detected in " + detectedMillis + " ms");
      assertThrows(LostInstanceException.class, () -> onVictim.service().get(), "later calls fail fast too");

      ExecutionException none = assertThrows(ExecutionException.class, () -> soloInFlight.get(20, TimeUnit.SECONDS));
      assertInstanceOf(NoInstanceException.class, none.getCause());
      assertThrows(NoInstanceException.class, () -> grid.proxy(solo, Tally.class).get());

      onSurvivor.close();
      List<Outcome<Tally.Hit>> outcomes = Grid.map(grid.proxy(pair, Tally.class), IntStream.range(0, 50).boxed().toList(), 4, Tally::hit)
          .get(30, TimeUnit.SECONDS);
      assertEquals(50, outcomes.stream().filter(Outcome::isSuccess).count(), "stateless work goes on on the survivor");
      try (Lease<Tally> fresh = grid.reacquire(onVictim, Duration.ofSeconds(10))) {
        assertNotEquals(victimId, fresh.workerId(), "a new lease lands on the surviving worker");
      }
    }
  }

  @Test
  void drainingWorkerFinishesItsRunningCallAndHandsBackTheRest() throws Exception {
    try (BrokerUnderTest broker = startBroker(); Grid grid = grid(broker, 4, "drained")) {
      // Prefetch 4: each instance holds up to 4 calls, so a drain has unstarted calls to hand back.
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(2));
      Tally any = grid.proxy(id, Tally.class);
      List<CompletableFuture<String>> calls = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        int n = i;
        calls.add(Grid.async(any, t -> t.appendSlowly(n, 200)));
      }
      WorkerInfo drained = drainFirstWorker(grid);

      List<Outcome<String>> outcomes = Grid.gather(calls).get(60, TimeUnit.SECONDS);
      assertEquals(12, outcomes.stream().filter(Outcome::isSuccess).count(),
          "no call is lost when a worker drains: " + outcomes);
      Path log = Path.of("target", "worker-logs", getClass().getSimpleName(), "drained", drained.id() + ".log");
      assertTrue(Files.readString(log).contains("worker " + drained.id() + " stopped"), "the worker drained and stopped cleanly");
    }
  }

  @Test
  void aDrainsUnstartedCallsAreNeitherRefusedNorCountedAsRetries() throws Exception {
    try (BrokerUnderTest broker = startBroker();
        Grid grid = grid(broker, 4, "drained-unstarted", List.of("--max-attempts", "1"))) {
      // Prefetch 4: the drained instance holds unstarted calls. Were they handed back by a requeue,
      // the broker would mark them redelivered, and the other instance would take them for calls
      // whose worker died: a @NonIdempotent one refused, an idempotent one dead-lettered (max 1).
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(2));
      Tally any = grid.proxy(id, Tally.class);
      List<CompletableFuture<String>> calls = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        int n = i;
        calls.add(Grid.async(any, t -> n % 2 == 0 ? t.chargeSlowly(200) : t.appendSlowly(n, 200)));
      }
      drainFirstWorker(grid);

      List<Outcome<String>> outcomes = Grid.gather(calls).get(60, TimeUnit.SECONDS);
      assertEquals(12, outcomes.stream().filter(Outcome::isSuccess).count(),
          "every call a drain handed back unstarted runs on the other instance: " + outcomes);
    }
  }

  /** Lets the calls start, then sends SIGTERM to the first worker and waits for it to drain and exit. */
  private static WorkerInfo drainFirstWorker(Grid grid) throws Exception {
    Thread.sleep(300);
    WorkerInfo drained = grid.workers().get(0);
    ProcessHandle process = ProcessHandle.of(drained.pid()).orElseThrow();
    process.destroy(); // SIGTERM: the worker drains
    process.onExit().get(30, TimeUnit.SECONDS);
    return drained;
  }
}
