package io.warren.cli;

import io.warren.grid.Grid;
import io.warren.grid.WorkerInfo;
import io.warren.ssh.FarmWorkers;
import io.warren.ssh.HostFailure;
import io.warren.ssh.HostInventory;
import io.warren.ssh.ShipReport;
import io.warren.ssh.Shipment;
import io.warren.ssh.SshFarm;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code warren up}: provisions a farm that outlives the command — ships the code to every host of
 * the inventory, starts a worker on each (in the background, detached from the SSH session), waits
 * until each announces itself on the broker, and prints what came up. {@code warren down} stops it.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = "Ship code to the hosts of an inventory and start a worker on each; they keep running.")
final class UpCommand implements Callable<Integer> {
  @Mixin BrokerOptions broker;
  @Mixin HostsOption hosts;

  @Option(names = "--ship", paramLabel = "FILE", description = "Application file to copy to every host (repeatable).")
  List<Path> ship = List.of();

  @Option(names = "--min-hosts", paramLabel = "K", description = "Start when at least K hosts come up (default: the inventory's minHosts, else all).")
  Integer minHosts;

  @Option(names = "--startup-timeout-seconds", defaultValue = "120", description = "How long to wait for the workers (default ${DEFAULT-VALUE}).")
  long startupTimeoutSeconds;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    HostInventory inventory = hosts.load();
    if (minHosts != null) {
      inventory = inventory.withMinHosts(minHosts);
    }
    Map<String, Long> lastPercent = new ConcurrentHashMap<>();
    SshFarm farm = SshFarm.builder().inventory(inventory).ship(Shipment.ofFiles(ship)).detached(true)
        .progress((host, done, total) -> {
          long percent = total == 0 ? 100 : done * 100 / total;
          Long before = lastPercent.put(host, percent / 25);
          if (total > 0 && (before == null || before != percent / 25)) {
            out.printf("  copying to %-20s %3d%% of %,d bytes%n", host, percent, total);
          }
        })
        .build();
    try (Grid grid = broker.grid(System.getenv()).build()) { // fails fast if the broker is unreachable
      FarmWorkers workers = farm.start(broker.endpoint(System.getenv()));
      try {
        awaitHeartbeats(grid, workers, Duration.ofSeconds(startupTimeoutSeconds));
        print(out, grid, workers);
      } catch (RuntimeException e) {
        workers.close(); // too few came up: leave nothing half-started behind
        throw e;
      }
      workers.detach();
      return 0;
    }
  }

  private static void awaitHeartbeats(Grid grid, FarmWorkers workers, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      workers.failure().ifPresent(e -> {
        throw e;
      });
      Set<String> silent = new HashSet<>(workers.workerIds());
      grid.workers().forEach(w -> silent.remove(w.id()));
      if (silent.isEmpty()) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        workers.notReady(silent); // drops them, or throws when too few remain
        return;
      }
      Thread.sleep(250);
    }
  }

  private static void print(PrintStream out, Grid grid, FarmWorkers workers) {
    Map<String, WorkerInfo> byId = new java.util.HashMap<>();
    grid.workers().forEach(w -> byId.put(w.id(), w));
    out.println();
    out.println("  host                 worker                          slots  copied");
    for (ShipReport report : workers.shipReports()) {
      String id = workers.workersByHost().get(report.host());
      if (id == null) {
        continue; // dropped after shipping
      }
      WorkerInfo info = byId.get(id);
      String copied = report.sharedWith() != null ? "shared with " + report.sharedWith()
          : report.filesCopied() + " of " + report.files() + " files, " + String.format("%,d", report.bytesCopied()) + " bytes";
      out.printf("  %-20s %-31s %5s  %s%n", report.host(), id, info == null ? "?" : Integer.toString(info.slots()), copied);
    }
    for (HostFailure failure : workers.hostFailures()) {
      out.println("  left out: " + failure.describe());
    }
    out.printf("%nfarm up: %d worker(s); stop it with: warren down --hosts ... --broker ...%n", workers.workerIds().size());
  }
}
