package io.warren.cli;

import io.warren.amqp.embedded.EmbeddedBroker;
import io.warren.cli.demo.IsingSampler;
import io.warren.cli.demo.Sampler;
import io.warren.cli.demo.Stats;
import io.warren.grid.Grid;
import io.warren.grid.Job;
import io.warren.grid.Lease;
import io.warren.grid.Outcome;
import io.warren.grid.PublishOptions;
import io.warren.grid.ServiceId;
import io.warren.worker.LocalWorkers;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code warren demo}: a whole grid on this machine with nothing installed — an in-process broker,
 * local worker JVMs, and a real workload: a temperature scan of the 2-D Ising model by Metropolis
 * sampling, spread over the instances, then a leased instance equilibrating at one temperature.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run a Monte Carlo demo on an embedded broker with local workers.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--workers", defaultValue = "2", description = "Worker JVMs to start (default ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--slots", defaultValue = "2", description = "Instances per worker (default ${DEFAULT-VALUE}).")
  int slots;

  @Option(names = "--size", defaultValue = "32", description = "Lattice side length (default ${DEFAULT-VALUE}).")
  int size;

  @Option(names = "--sweeps", defaultValue = "2000", description = "Metropolis sweeps per temperature (default ${DEFAULT-VALUE}).")
  int sweeps;

  @Option(names = "--points", defaultValue = "12", description = "Temperatures in the scan (default ${DEFAULT-VALUE}).")
  int points;

  @picocli.CommandLine.Mixin JournalOption journal;

  @Override
  public Integer call() throws Exception {
    if (workers < 1 || slots < 1 || size < 2 || sweeps < 1 || points < 2) {
      throw new IllegalArgumentException("--workers, --slots, --sweeps must be >= 1; --size and --points >= 2");
    }
    PrintStream out = System.out;
    long started = System.nanoTime();
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      out.printf("broker   embedded Qpid Broker-J on %s%n", broker.uri());
      try (Grid grid = Grid.builder()
          .broker(broker.uri())
          .credentials(broker.username(), broker.password())
          .workers(LocalWorkers.builder().count(workers).slots(slots).build())
          .journal(journal.journal())
          .build()) {
        out.printf("workers  %d JVMs x %d slots up%n", workers, slots);
        ServiceId id = grid.publish(new IsingSampler(size, 2.0, 2026), PublishOptions.defaults().named("ising"));
        out.printf("service  %s: %d instances of %s%n", id, grid.describe(id).instances().size(), IsingSampler.class.getSimpleName());

        List<Double> temperatures = IntStream.range(0, points).mapToObj(i -> 1.5 + 2.0 * i / (points - 1)).toList();
        Sampler any = grid.proxy(id, Sampler.class);
        Progress progress = new Progress(out, "temperatures sampled", temperatures.size());
        List<CompletableFuture<Stats>> calls = new ArrayList<>();
        for (double t : temperatures) {
          // All calls are queued at once; the broker hands each to the next free instance.
          calls.add(Grid.async(any, s -> s.sample(t, sweeps)).whenComplete((stats, failure) -> progress.step()));
        }
        Job<Stats> job = grid.track("temperature scan", temperatures.stream().map(t -> String.format("T=%.2f", t)).toList(), calls);
        List<Outcome<Stats>> scan = job.done().get();
        out.printf("job      %s %s (warren job %s shows it again later)%n", job.id(), job.status(), job.id());
        printScan(out, scan);
        printLoad(out, scan);
        equilibrateOnALease(out, grid, id);
        grid.terminate(id);
      }
    }
    out.printf("done in %.1f s; broker, workers and queues are gone%n", (System.nanoTime() - started) / 1e9);
    return 0;
  }

  private void printScan(PrintStream out, List<Outcome<Stats>> scan) {
    out.println();
    out.println("     T    E/spin     |M|   accept   worker   ms");
    for (Outcome<Stats> outcome : scan) {
      if (!outcome.isSuccess()) {
        out.println("  failed: " + outcome.failure().getMessage());
        continue;
      }
      Stats s = outcome.value();
      out.printf("  %4.2f  %8.4f  %6.3f  %7.3f  %7d  %4d%n",
          s.temperature(), s.energyPerSpin(), s.magnetization(), s.acceptance(), s.workerPid(), s.millis());
    }
    out.println("  (the order-disorder transition of the 2-D Ising model is at T = 2.269)");
  }

  private void printLoad(PrintStream out, List<Outcome<Stats>> scan) {
    Map<Long, long[]> perWorker = new TreeMap<>();
    for (Outcome<Stats> outcome : scan) {
      if (outcome.isSuccess()) {
        long[] load = perWorker.computeIfAbsent(outcome.value().workerPid(), pid -> new long[2]);
        load[0]++;
        load[1] += outcome.value().millis();
      }
    }
    out.println();
    out.println("  worker pid   calls   busy ms");
    perWorker.forEach((pid, load) -> out.printf("  %10d   %5d   %7d%n", pid, load[0], load[1]));
  }

  private void equilibrateOnALease(PrintStream out, Grid grid, ServiceId id) throws Exception {
    try (Lease<Sampler> lease = grid.acquire(id, Sampler.class, Duration.ofSeconds(30))) {
      lease.service().setTemperature(2.269);
      List<CompletableFuture<Stats>> rounds = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        rounds.add(lease.async(s -> s.run(sweeps / 4 + 1)));
      }
      out.println();
      out.printf("  lease on instance %d of worker %s, T = 2.269, 4 pipelined rounds:%n", lease.instance(), lease.workerId());
      for (CompletableFuture<Stats> round : rounds) {
        Stats s = round.get();
        out.printf("    E/spin %8.4f  |M| %6.3f%n", s.energyPerSpin(), s.magnetization());
      }
    }
  }
}
