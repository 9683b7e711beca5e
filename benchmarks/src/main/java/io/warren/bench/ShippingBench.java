package io.warren.bench;

import io.warren.grid.spi.BrokerEndpoint;
import io.warren.ssh.FarmWorkers;
import io.warren.ssh.HostInventory;
import io.warren.ssh.HostSpec;
import io.warren.ssh.ShipReport;
import io.warren.ssh.Shipment;
import io.warren.ssh.SshFarm;
import io.warren.testing.PrivateSshd;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * Section 4 of the benchmark, shipping: what re-provisioning moves when the code is unchanged (it
 * must be 0 bytes) and when one file changed (that file only). Each provisioning is a real
 * {@link SshFarm#start} — what {@code warren up} runs — against a {@link PrivateSshd} on this
 * machine, with strict host-key checking; its {@link ShipReport} gives the files and bytes copied
 * and the time spent shipping.
 *
 * <pre>{@code
 * List<String> lines = ShippingBench.run(versions, System.out::println);   // markdown lines
 * }</pre>
 */
final class ShippingBench {
  static final int RUNS = 3;
  /**
   * Shipping needs no broker. Each provisioning still ends by starting a worker, which finds nothing
   * on this port (nothing listens on port 1), exits, and is stopped with the farm.
   */
  private static final BrokerEndpoint NO_BROKER = new BrokerEndpoint(URI.create("amqp://127.0.0.1:1"), "none", "none");

  private ShippingBench() {}

  /** One provisioning: what shipping did, and how long the whole {@code SshFarm.start} took. */
  record Run(ShipReport shipped, Duration provisioning) {}

  /**
   * Ships the worker runtime and this harness's own code to a fresh work dir once, then {@value
   * #RUNS} times unchanged, then {@value #RUNS} times with one small file rewritten; returns the
   * report's lines (a table and the verdicts) and puts the sshd version into {@code versions}.
   */
  static List<String> run(Map<String, String> versions, Consumer<String> log) throws IOException {
    try (PrivateSshd sshd = PrivateSshd.start()) {
      versions.put("OpenSSH (sshd)", sshd.serverVersion());
      log.accept("shipping: " + sshd + ", " + sshd.serverVersion());
      // The one file the change rewrites: a small resource beside the code, as a build would change.
      Path params = Files.writeString(sshd.directory().resolve("params.properties"), "build=0\n");
      HostSpec host = sshd.hostSpec().name("loopback")
          .workDir(sshd.directory().resolve("work").toString()) // fresh: the first ship copies everything
          .javaCommand(Path.of(System.getProperty("java.home"), "bin", "java").toString())
          .jvmOptions(List.of("-Xmx64m", "-XX:TieredStopAtLevel=1")) // the worker only starts and exits
          .slots(1)
          .build();
      SshFarm farm = SshFarm.builder()
          .inventory(HostInventory.of(List.of(host)))
          .ship(application(params))
          .sshConfig(null) // the machine's ~/.ssh/config must not redirect the loopback host
          .stopGrace(Duration.ofSeconds(10))
          .build();
      Run first = provision(farm, log, "first ship");
      List<Run> unchanged = new ArrayList<>();
      for (int i = 1; i <= RUNS; i++) {
        unchanged.add(provision(farm, log, "unchanged " + i));
      }
      List<Run> changed = new ArrayList<>();
      for (int i = 1; i <= RUNS; i++) {
        Files.writeString(params, "build=" + i + "\n");
        changed.add(provision(farm, log, "1 file changed " + i));
      }
      List<String> lines = lines(first, unchanged, changed, Files.size(params));
      lines.stream().filter(line -> line.contains("FAILED")).forEach(line -> log.accept("shipping " + line));
      return lines;
    }
  }

  /** This harness's code (its classes directory, or its jar) and the file the change rewrites. */
  private static Shipment application(Path changing) {
    Path code;
    try {
      code = Path.of(ShippingBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("odd class path location of the benchmarks", e);
    }
    Shipment.Builder app = Shipment.builder();
    return (Files.isDirectory(code) ? app.directory(code) : app.file(code)).file(changing).build();
  }

  private static Run provision(SshFarm farm, Consumer<String> log, String what) {
    long started = System.nanoTime();
    // A host that cannot be provisioned fails start() (minHosts is every host) with its reason.
    try (FarmWorkers workers = farm.start(NO_BROKER)) {
      Run run = new Run(workers.shipReports().get(0), Duration.ofNanos(System.nanoTime() - started));
      ShipReport s = run.shipped();
      log.accept(String.format(Locale.ROOT, "shipping %-16s %d of %d files, %,d B copied, ship %.1f ms, provisioning %.0f ms",
          what, s.filesCopied(), s.files(), s.bytesCopied(), millis(s.took()), millis(run.provisioning())));
      return run;
    }
  }

  /** The report's lines: a table, then one verdict per requirement. Pure. */
  static List<String> lines(Run first, List<Run> unchanged, List<Run> changed, long changedFileSize) {
    Table table = new Table(List.of("case", "files copied", "bytes copied", "ship ms", "provisioning ms"));
    table.row(row("first ship (empty work dir)", List.of(first)));
    table.row(row("re-ship unchanged code (median of " + unchanged.size() + ")", unchanged));
    table.row(row("1 file changed (median of " + changed.size() + ")", changed));
    List<String> lines = new ArrayList<>();
    lines.add("Shipping: the worker runtime and the benchmarks' code (" + first.shipped().files()
        + " files) to one SSH host on this machine; each row is a full `SshFarm.start`.");
    lines.add("");
    lines.add(table.markdown());
    lines.add(verdict("re-shipping unchanged code copies nothing", unchanged, 0, 0));
    lines.add(verdict("a 1-file change copies that file only", changed, 1, changedFileSize));
    return lines;
  }

  /** "met" when every run copied exactly {@code files} files and {@code bytes} bytes, else a loud FAILED. */
  static String verdict(String what, List<Run> runs, int files, long bytes) {
    boolean met = !runs.isEmpty() && runs.stream()
        .allMatch(r -> r.shipped().filesCopied() == files && r.shipped().bytesCopied() == bytes);
    return String.format(Locale.ROOT, "- %s: %s: files copied %s, bytes copied %s (required in each of %d runs: %d and %,d)",
        met ? "met" : "**FAILED**", what, each(runs, r -> r.shipped().filesCopied()),
        each(runs, r -> r.shipped().bytesCopied()), runs.size(), files, bytes);
  }

  private static List<String> row(String label, List<Run> runs) {
    return List.of(label,
        each(runs, r -> r.shipped().filesCopied()) + " of " + runs.get(0).shipped().files(),
        each(runs, r -> r.shipped().bytesCopied()),
        Table.decimal(Stats.median(runs.stream().mapToDouble(r -> millis(r.shipped().took())).toArray())),
        Table.number(Stats.median(runs.stream().mapToDouble(r -> millis(r.provisioning())).toArray())));
  }

  /** The value when every run agrees (the usual case), else each run's: a difference must show. */
  private static String each(List<Run> runs, ToLongFunction<Run> value) {
    List<String> values = runs.stream().map(r -> String.format(Locale.ROOT, "%,d", value.applyAsLong(r))).toList();
    return values.stream().distinct().count() <= 1 ? values.stream().findFirst().orElse("-") : String.join(" / ", values);
  }

  private static double millis(Duration duration) {
    return duration.toNanos() / 1e6;
  }
}
