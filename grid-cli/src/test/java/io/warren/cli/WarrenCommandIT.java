package io.warren.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Drives the {@code warren} command as a user would: a process, its output, its exit code. */
class WarrenCommandIT {

  record Run(int exitCode, String output) {}

  @org.junit.jupiter.api.io.TempDir Path journal;

  @Test
  void demoRunsAWholeGridAndCleansUp() throws Exception {
    Run run = warren("demo", "--sweeps", "200", "--points", "6", "--size", "16", "--journal", journal.toString());
    assertEquals(0, run.exitCode(), run.output());
    assertTrue(run.output().contains("service  ising: 4 instances of IsingSampler"), run.output());
    assertTrue(run.output().contains("6/6 temperatures sampled"), run.output());
    long tableRows = run.output().lines().filter(l -> l.matches("\\s+\\d\\.\\d\\d\\s+-\\d\\.\\d{4}.*")).count();
    assertEquals(6, tableRows, "one row per temperature:\n" + run.output());
    assertTrue(run.output().contains("4 pipelined rounds"), run.output());
    assertTrue(run.output().contains("done in"), run.output());
    assertFalse(run.output().contains("Exception"), run.output());

    // The scan was a tracked job: its results outlive the demo's process.
    String jobId = run.output().lines().filter(l -> l.startsWith("job ")).findFirst().orElseThrow().split("\\s+")[1];
    Run jobs = warren("jobs", "--journal", journal.toString());
    assertEquals(0, jobs.exitCode(), jobs.output());
    assertTrue(jobs.output().contains(jobId) && jobs.output().contains("FINISHED") && jobs.output().contains("6/6"), jobs.output());
    Run job = warren("job", jobId, "--journal", journal.toString());
    assertEquals(0, job.exitCode(), job.output());
    assertEquals(6, job.output().lines().filter(l -> l.contains("T=") && l.contains(" OK ")).count(), job.output());
    assertTrue(job.output().contains("energyPerSpin"), "each item's result is kept: " + job.output());
    Run missing = warren("job", "nope", "--journal", journal.toString());
    assertNotEquals(0, missing.exitCode());
    assertEquals("warren: no job 'nope' in the journal", missing.output().strip());
  }

  @Test
  void badOptionsPrintOneLineAndFail() throws Exception {
    Run run = warren("demo", "--workers", "0");
    assertNotEquals(0, run.exitCode());
    assertEquals(1, run.output().strip().lines().count(), run.output());
    assertTrue(run.output().startsWith("warren: "), run.output());
  }

  @Test
  void aNegativeGraceIsRefusedByNameBeforeAnythingIsContacted() throws Exception {
    Run run = warren("down", "--broker", "amqp://127.0.0.1:1", "--hosts", "no-such-inventory.yaml", "--grace-seconds", "-1");
    assertNotEquals(0, run.exitCode());
    assertEquals("warren: --grace-seconds must be >= 0, was -1", run.output().strip());
  }

  @Test
  void unknownCommandsFail() throws Exception {
    Run run = warren("launch-rockets");
    assertNotEquals(0, run.exitCode());
    assertTrue(run.output().contains("launch-rockets"), run.output());
  }

  @Test
  void statusShowsARunningFarmFromAnotherProcess() throws Exception {
    try (io.warren.amqp.embedded.EmbeddedBroker broker = io.warren.amqp.embedded.EmbeddedBroker.start();
        io.warren.grid.Grid grid = io.warren.grid.Grid.builder()
            .broker(broker.uri()).credentials(broker.username(), broker.password())
            .workers(io.warren.worker.LocalWorkers.builder().count(2).slots(1).build())
            .build()) {
      io.warren.grid.ServiceId id = grid.publish(new io.warren.cli.demo.IsingSampler(8, 2.0, 1),
          io.warren.grid.PublishOptions.defaults().named("ising-status").instances(2));
      try (io.warren.grid.Lease<io.warren.cli.demo.Sampler> lease =
          grid.acquire(id, io.warren.cli.demo.Sampler.class, java.time.Duration.ofSeconds(10))) {
        Run run = warrenWithEnv(java.util.Map.of(
                BrokerOptions.USERNAME_ENV, broker.username(), BrokerOptions.PASSWORD_ENV, broker.password()),
            "status", "--broker", broker.uri().toString());
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("workers  2"), run.output());
        for (io.warren.grid.WorkerInfo worker : grid.workers()) {
          assertTrue(run.output().contains(worker.id()), "lists " + worker.id() + ":\n" + run.output());
        }
        assertTrue(run.output().contains(lease.id()), "shows who holds the lease:\n" + run.output());
        assertTrue(run.output().contains("ising-status"), run.output());
        assertFalse(run.output().contains(broker.password()), "never prints the password");
      }
    }
  }

  @Test
  void statusAgainstAnUnreachableBrokerPrintsOneLine() throws Exception {
    Run run = warren("status", "--broker", "amqp://127.0.0.1:1");
    assertNotEquals(0, run.exitCode());
    assertEquals(1, run.output().strip().lines().count(), run.output());
    assertTrue(run.output().startsWith("warren: cannot connect to broker amqp://127.0.0.1:1"), run.output());
  }

  @Test
  void aMissingCredentialsFileIsNamedInOneLine() throws Exception {
    Path missing = journal.resolve("no-such-credentials");
    Run run = warren("status", "--broker", "amqp://127.0.0.1:1", "--credentials-file", missing.toString());
    assertEquals(1, run.exitCode(), run.output());
    assertEquals("warren: no such file: " + missing, run.output().strip());
  }

  @Test
  void aCredentialsFileWithoutAPasswordIsRefusedByName() throws Exception {
    Path file = java.nio.file.Files.writeString(journal.resolve("credentials"), "username=alice\n");
    Run run = warren("status", "--broker", "amqp://127.0.0.1:1", "--credentials-file", file.toString());
    assertEquals(1, run.exitCode(), run.output());
    assertEquals("warren: --credentials-file " + file + " has no password= line", run.output().strip());
  }

  @Test
  void aMissingFileToShipIsNamedInOneLine() throws Exception {
    Path missing = journal.resolve("missing.jar");
    Path hosts = java.nio.file.Files.writeString(journal.resolve("hosts.yaml"), "hosts:\n  - {host: 127.0.0.1, port: 1}\n");
    try (io.warren.amqp.embedded.EmbeddedBroker broker = io.warren.amqp.embedded.EmbeddedBroker.start()) {
      Run run = warrenWithEnv(java.util.Map.of(
              BrokerOptions.USERNAME_ENV, broker.username(), BrokerOptions.PASSWORD_ENV, broker.password()),
          "up", "--broker", broker.uri().toString(), "--hosts", hosts.toString(), "--ship", missing.toString());
      assertEquals(1, run.exitCode(), run.output());
      assertEquals("warren: not a file: " + missing, run.output().strip());
    }
  }

  private static Run warren(String... args) throws IOException, InterruptedException {
    return warrenWithEnv(java.util.Map.of(), args);
  }

  private static Run warrenWithEnv(java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), WarrenMain.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(2, TimeUnit.MINUTES), "warren exited");
    return new Run(process.exitValue(), output);
  }
}
