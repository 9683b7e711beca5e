package io.warren.farm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.testing.RabbitMqContainer;
import io.warren.testing.SshHostContainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code warren up}, {@code status} and {@code down} driven as a user would: processes, output, exit codes. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class WarrenFarmCommandsIT {

  @Test
  void upStartsAFarmThatOutlivesTheCommandStatusSeesItAndDownStopsIt(@TempDir Path dir) throws Exception {
    try (RabbitMqContainer broker = RabbitMqContainer.start()) {
      List<SshHostContainer> hosts = FarmFixture.startHosts(List.of("127.0.1.41", "127.0.1.42"));
      try {
        Path knownHosts = FarmFixture.knownHosts(dir, hosts);
        Path app = AppJar.build(dir.resolve("app.jar"));
        StringBuilder yaml = new StringBuilder("""
            defaults:
              user: warren
              knownHosts: %s
              slots: 1
              jvmOptions: [-Xmx128m, -XX:+UseSerialGC, -XX:TieredStopAtLevel=1]
            hosts:
            """.formatted(knownHosts));
        for (int i = 0; i < hosts.size(); i++) {
          SshHostContainer h = hosts.get(i);
          yaml.append("  - {name: node-%d, host: %s, port: %d, identityFile: %s}\n".formatted(i + 1, h.address(), h.port(), h.identityFile()));
        }
        Path inventory = Files.writeString(dir.resolve("hosts.yaml"), yaml);
        Map<String, String> env = Map.of("WARREN_BROKER_USERNAME", broker.username(), "WARREN_BROKER_PASSWORD", broker.password());
        String uri = broker.uri().toString();

        Run up = warren(env, "up", "--hosts", inventory.toString(), "--ship", app.toString(), "--broker", uri);
        assertEquals(0, up.exit, up.output);
        assertTrue(up.output.contains("farm up: 2 worker(s)"), up.output);
        assertTrue(up.output.contains("node-1") && up.output.contains("node-2"), up.output);
        assertTrue(up.output.contains("copying to node-1") && up.output.contains("100% of"), "no copy progress shown:\n" + up.output);
        for (SshHostContainer host : hosts) {
          assertTrue(!FarmFixture.workerProcesses(host).isEmpty(), "warren up exited and took the worker on " + host + " with it");
        }

        Run status = warren(env, "status", "--broker", uri, "--listen-millis", "5000");
        assertEquals(0, status.exit, status.output);
        assertTrue(status.output.contains("workers  2"), () -> status.output + "\nworker logs:\n" + logs(hosts));
        assertTrue(status.output.contains("ssh-node-1-"), status.output);

        Run down = warren(env, "down", "--hosts", inventory.toString(), "--broker", uri, "--grace-seconds", "20");
        assertEquals(0, down.exit, down.output);
        assertTrue(down.output.contains("asked 2 worker(s) to drain"), () -> down.output + "\nworker logs:\n" + logs(hosts));
        assertTrue(down.output.contains("farm down: 2 of 2"), down.output);
        for (SshHostContainer host : hosts) {
          assertEquals("", FarmFixture.workerProcesses(host), "a worker still runs on " + host);
          assertEquals("", host.exec("sh", "-c", "ls /home/warren/.warren/run").stdout().strip(), "run files left on " + host);
        }
        assertEquals(List.of(), broker.queueNames().stream().filter(q -> q.startsWith("warren.")).toList());
        // Passwords never reach the output.
        for (Run run : List.of(up, status, down)) {
          assertTrue(!run.output.contains(broker.password()), "the broker password was printed");
        }
      } finally {
        hosts.forEach(SshHostContainer::close);
      }
    }
  }

  @Test
  void aBadInventoryPrintsOneLineNamingTheEntry(@TempDir Path dir) throws Exception {
    Path inventory = Files.writeString(dir.resolve("hosts.yaml"), "hosts:\n  - {host: a, port: twenty-two}\n");
    Run up = warren(Map.of(), "up", "--hosts", inventory.toString(), "--broker", "amqp://127.0.0.1:1");
    assertEquals(1, up.exit, up.output);
    assertEquals("warren: hosts.yaml: hosts[0].port: expected an integer, was \"twenty-two\"", up.output.strip());
  }

  private record Run(int exit, String output) {}

  private static String logs(List<SshHostContainer> hosts) {
    StringBuilder text = new StringBuilder();
    for (SshHostContainer host : hosts) {
      var result = host.exec("sh", "-c", "ls -la /home/warren/.warren/logs; tail -n 40 /home/warren/.warren/logs/*.log; ps aux");
      text.append(host).append(":\n").append(result.stdout()).append(result.stderr());
    }
    return text.toString();
  }

  private static Run warren(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "io.warren.cli.WarrenMain"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("warren " + String.join(" ", args) + " did not finish:\n" + output);
    }
    return new Run(process.exitValue(), output);
  }
}
