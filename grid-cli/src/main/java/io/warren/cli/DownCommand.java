package io.warren.cli;

import io.warren.grid.Grid;
import io.warren.grid.GridException;
import io.warren.ssh.HostFailure;
import io.warren.ssh.HostInventory;
import io.warren.ssh.SshFarm;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code warren down}: stops the farm {@code warren up} started on an inventory's hosts. First
 * through the broker (each worker drains and exits), then over SSH: whatever still runs after the
 * grace period is killed, and the credentials files are removed.
 */
@Command(name = "down", mixinStandardHelpOptions = true,
    description = "Stop the workers warren up started on the hosts of an inventory.")
final class DownCommand implements Callable<Integer> {
  @Mixin BrokerOptions broker;
  @Mixin HostsOption hosts;

  @Option(names = "--grace-seconds", defaultValue = "30", description = "How long workers may drain before they are killed (default ${DEFAULT-VALUE}).")
  long graceSeconds;

  @Option(names = "--clean", description = "Also delete each host's work dir (never a shared one).")
  boolean clean;

  @Option(names = "--listen-millis", defaultValue = "5000",
      description = "At most how long to collect heartbeats to find the workers (default ${DEFAULT-VALUE}); stops early once every host's worker was heard.")
  long listenMillis;

  @Override
  public Integer call() throws Exception {
    if (graceSeconds < 0) {
      throw new IllegalArgumentException("--grace-seconds must be >= 0, was " + graceSeconds);
    }
    PrintStream out = System.out;
    HostInventory inventory = hosts.load();
    try (Grid grid = broker.grid(System.getenv()).build()) {
      Set<String> ours = Set.of();
      long deadline = System.nanoTime() + listenMillis * 1_000_000;
      do {
        Thread.sleep(250);
        ours = grid.workers().stream().map(w -> w.id())
            .filter(id -> inventory.hosts().stream().anyMatch(h -> SshFarm.isWorkerOf(h, id)))
            .collect(Collectors.toSet());
      } while (ours.size() < inventory.hosts().size() && System.nanoTime() < deadline);
      grid.shutdownWorkers(ours);
      out.printf("asked %d worker(s) to drain through the broker%n", ours.size());
    } catch (GridException e) {
      out.println("broker unreachable (" + e.getMessage() + "); stopping over SSH only");
    }
    List<HostFailure> failures = SshFarm.builder().inventory(inventory).cleanWorkDir(clean).build()
        .stopDetached(Duration.ofSeconds(graceSeconds));
    for (HostFailure failure : failures) {
      System.err.println("warren: " + failure.describe());
    }
    out.printf("farm down: %d of %d host(s) cleaned up%n", inventory.hosts().size() - failures.size(), inventory.hosts().size());
    return failures.isEmpty() ? 0 : 1;
  }
}
