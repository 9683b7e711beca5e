package io.warren.cli;

import io.warren.grid.Grid;
import io.warren.grid.InstanceInfo;
import io.warren.grid.WorkerInfo;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code warren status}: what a running farm looks like from its heartbeats — workers, their load
 * and last heartbeat, the instances they host and which lease (and so which client) holds each.
 * Read-only: it only listens, so it works from any terminal while the farm runs.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show workers, services, instances and leases of a running farm.")
final class StatusCommand implements Callable<Integer> {
  @Mixin BrokerOptions broker;

  @Option(names = "--listen-millis", defaultValue = "2500",
      description = "How long to collect heartbeats (default ${DEFAULT-VALUE}; workers send one a second by default).")
  long listenMillis;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    try (Grid grid = broker.grid(System.getenv()).build()) {
      Thread.sleep(listenMillis); // heartbeats arrive by themselves; there is nothing to ask for
      List<WorkerInfo> workers = grid.workers();
      out.printf("broker   %s%n", broker.broker);
      out.printf("workers  %d%n", workers.size());
      if (workers.isEmpty()) {
        return 0;
      }
      out.println();
      out.println("  worker                       host             pid  state     slots  busy   load  heartbeat");
      Instant now = Instant.now();
      for (WorkerInfo w : workers) {
        out.printf("  %-28s %-12s %7d  %-8s  %5d  %4d  %5s  %6.1f s ago%n", w.id(), truncate(w.host(), 12), w.pid(), w.state(),
            w.slots(), w.busy(), w.load() < 0 ? "-" : String.format("%.2f", w.load()),
            Duration.between(w.lastHeartbeat(), now).toMillis() / 1000.0);
      }
      out.println();
      out.println("  service                      instance  worker                       lease (client-Lnumber)");
      workers.stream()
          .flatMap(w -> w.instances().stream())
          .sorted(java.util.Comparator.comparing((InstanceInfo i) -> i.service().value()).thenComparingInt(InstanceInfo::number))
          .forEach(i -> out.printf("  %-28s %8d  %-28s %s%n", i.service(), i.number(), i.workerId(), i.leaseId().orElse("-")));
      return 0;
    }
  }

  private static String truncate(String text, int width) {
    return text.length() <= width ? text : text.substring(0, width);
  }
}
