package io.warren.farm;

import io.warren.ssh.HostInventory;
import io.warren.ssh.HostSpec;
import io.warren.testing.SshHostContainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/** SSH host containers and the inventory that reaches them, for the farm suites. */
final class FarmFixture {
  private FarmFixture() {}

  /** Starts one host per address, in parallel. On failure, closes those that did start. */
  static List<SshHostContainer> startHosts(List<String> addresses) {
    List<CompletableFuture<SshHostContainer>> starting = addresses.stream()
        .map(a -> CompletableFuture.supplyAsync(() -> SshHostContainer.start(a)))
        .toList();
    List<SshHostContainer> hosts = new ArrayList<>();
    RuntimeException failure = null;
    for (CompletableFuture<SshHostContainer> f : starting) {
      try {
        hosts.add(f.join());
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      hosts.forEach(SshHostContainer::close);
      throw failure;
    }
    return hosts;
  }

  /** A known_hosts file with every host's real key. */
  static Path knownHosts(Path dir, List<SshHostContainer> hosts) throws IOException {
    StringBuilder lines = new StringBuilder();
    hosts.forEach(h -> lines.append(h.knownHostsLine()).append('\n'));
    return Files.writeString(dir.resolve("known_hosts-" + System.nanoTime()), lines);
  }

  /** One host spec per container, named host-1, host-2, ...; {@code tweak} adjusts each. */
  static HostInventory inventory(List<SshHostContainer> hosts, Path knownHosts, UnaryOperator<HostSpec.Builder> tweak) {
    List<HostSpec> specs = new ArrayList<>();
    for (int i = 0; i < hosts.size(); i++) {
      specs.add(tweak.apply(spec(hosts.get(i), "host-" + (i + 1), knownHosts)).build());
    }
    return HostInventory.of(specs);
  }

  /** The spec for one container, with strict host-key checking against {@code knownHosts}. */
  static HostSpec.Builder spec(SshHostContainer host, String name, Path knownHosts) {
    return HostSpec.builder(host.address()).name(name).port(host.port()).user(host.user())
        .identityFile(host.identityFile()).knownHosts(knownHosts).slots(2)
        .jvmOptions(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dwarren.test.host=" + name))
        .environment(Map.of("WARREN_TEST_HOST", name));
  }

  /** A fresh ed25519 key no host knows; returns its private half. */
  static Path newLoginKey(Path dir) throws IOException, InterruptedException {
    Path key = dir.resolve("stranger-" + System.nanoTime());
    Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("ssh-keygen failed: " + out);
    }
    return key;
  }

  /**
   * Pids and command lines of worker JVMs alive in the container (none is the goal after a farm
   * stops). Workers run as {@code java @run/<worker-id>.args}; the bracket keeps the pattern from
   * matching any shell that carries it.
   */
  static String workerProcesses(SshHostContainer host) {
    return host.exec("pgrep", "-a", "-f", "[@]run/ssh-").stdout().strip();
  }
}
