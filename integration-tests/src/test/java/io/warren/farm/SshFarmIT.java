package io.warren.farm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.farm.app.ClassPathResources;
import io.warren.farm.app.DoubleWellReplica;
import io.warren.farm.app.Replica;
import io.warren.farm.app.Resources;
import io.warren.grid.Grid;
import io.warren.grid.Lease;
import io.warren.grid.Outcome;
import io.warren.grid.PublishOptions;
import io.warren.grid.ServiceId;
import io.warren.grid.spi.BrokerEndpoint;
import io.warren.ssh.FarmWorkers;
import io.warren.ssh.HostInventory;
import io.warren.ssh.ShipReport;
import io.warren.ssh.Shipment;
import io.warren.ssh.SshFarm;
import io.warren.testing.SshHostContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The farm end to end: three SSH host containers and a RabbitMQ container, all on loopback. The
 * grid ships the application jar over SSH, starts a worker on each host, and runs a
 * replica-exchange workload through leases.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SshFarmIT {
  private static final int REPLICAS = 4;
  private static final int ROUNDS = 25;

  @TempDir static Path dir;
  static FarmEnvironment env;

  @BeforeAll
  static void startHostsAndBroker() throws Exception {
    env = FarmEnvironment.start(dir, List.of("127.0.1.11", "127.0.1.12", "127.0.1.13"));
  }

  @AfterAll
  static void stopAll() {
    if (env != null) {
      env.close();
    }
  }

  private static SshFarm farm(HostInventory inventory, Shipment app) {
    return SshFarm.builder().inventory(inventory).ship(app).stopGrace(Duration.ofSeconds(15)).build();
  }

  private static Grid grid(SshFarm farm) {
    return Grid.builder().broker(env.broker().uri()).credentials(env.broker().username(), env.broker().password())
        .workers(farm).startupTimeout(Duration.ofSeconds(90)).build();
  }

  @Test
  void replicaExchangeRunsOnEveryHostThroughStickyLeasesAndLeavesNothingBehind() throws Exception {
    HostInventory inventory = FarmFixture.inventory(env.hosts(), env.knownHosts(), UnaryOperator.identity());
    Map<String, Integer> roundsPerHost = new HashMap<>();
    int swapsAccepted = 0;
    try (Grid grid = grid(farm(inventory, Shipment.ofFiles(List.of(env.appJar()))))) {
      assertEquals(3, grid.workers().size(), grid.workers()::toString);
      ServiceId service = grid.publish(new DoubleWellReplica(42), PublishOptions.defaults().instances(6));
      List<Lease<Replica>> leases = new ArrayList<>();
      double[] temperatures = new double[REPLICAS];
      for (int r = 0; r < REPLICAS; r++) {
        leases.add(grid.acquire(service, Replica.class, Duration.ofSeconds(30)));
        temperatures[r] = 0.1 * Math.pow(3, r); // a geometric ladder, 0.1 .. 2.7
        leases.get(r).service().setTemperature(temperatures[r]);
      }
      String[] tokens = new String[REPLICAS];
      Random random = new Random(7);
      for (int round = 1; round <= ROUNDS; round++) {
        List<CompletableFuture<Replica.Sample>> sweeps = new ArrayList<>();
        for (Lease<Replica> lease : leases) {
          sweeps.add(lease.async(r -> r.sweep(2_000)));
        }
        List<Outcome<Replica.Sample>> outcomes = Grid.gather(sweeps).get(60, TimeUnit.SECONDS);
        Replica.Sample[] samples = new Replica.Sample[REPLICAS];
        for (int r = 0; r < REPLICAS; r++) {
          Outcome<Replica.Sample> outcome = outcomes.get(r);
          assertTrue(outcome.isSuccess(), () -> "a sweep failed: " + outcome.failure());
          samples[r] = outcome.value();
          if (tokens[r] == null) {
            tokens[r] = samples[r].instanceToken();
          }
          // Sticky: the same object served every call of this lease, and saw every round once.
          assertEquals(tokens[r], samples[r].instanceToken(), "replica " + r + " moved to another instance");
          assertEquals(round, samples[r].sweeps(), "replica " + r + " missed or repeated a sweep");
          roundsPerHost.merge(samples[r].host(), 1, Integer::sum);
        }
        // Exchange: neighbours swap temperatures with the Metropolis probability.
        for (int r = (round % 2); r + 1 < REPLICAS; r += 2) {
          double delta = (1 / temperatures[r] - 1 / temperatures[r + 1]) * (samples[r].energy() - samples[r + 1].energy());
          if (delta >= 0 || random.nextDouble() < Math.exp(delta)) {
            double t = temperatures[r];
            temperatures[r] = temperatures[r + 1];
            temperatures[r + 1] = t;
            int a = r;
            int b = r + 1;
            CompletableFuture.allOf(
                leases.get(a).runAsync(x -> x.setTemperature(temperatures[a])),
                leases.get(b).runAsync(x -> x.setTemperature(temperatures[b]))).get(30, TimeUnit.SECONDS);
            swapsAccepted++;
          }
        }
      }
      assertEquals(REPLICAS, new HashSet<>(List.of(tokens)).size(), "each lease has its own instance");
      for (Lease<Replica> lease : leases) {
        lease.close();
        lease.released().get(30, TimeUnit.SECONDS);
      }
    }
    assertTrue(swapsAccepted > 0, "no replica exchange was ever accepted");
    assertTrue(roundsPerHost.size() >= 2, "the replicas ran on one host only: " + roundsPerHost);
    assertFalse(roundsPerHost.containsKey("?"), "a worker did not get the inventory's env: " + roundsPerHost);
    for (SshHostContainer host : env.hosts()) {
      assertEquals("", FarmFixture.workerProcesses(host), "a worker still runs on " + host);
    }
    List<String> left = env.broker().queueNames().stream().filter(q -> q.startsWith("warren.")).toList();
    assertEquals(List.of(), left, "grid queues left on the env.broker()");
  }

  @Test
  void unchangedCodeMovesZeroBytesAndAChangedFileMovesOnlyItself() throws Exception {
    HostInventory inventory = FarmFixture.inventory(env.hosts(), env.knownHosts(), b -> b.workDir(".warren-ship-test"));
    Path data = Files.writeString(dir.resolve("app/params.txt"), "temperature-ladder=geometric\n");
    Shipment app = Shipment.ofFiles(List.of(env.appJar(), data));
    BrokerEndpoint endpoint = new BrokerEndpoint(env.broker().uri(), env.broker().username(), env.broker().password());

    List<ShipReport> first = provisionAndStop(farm(inventory, app), endpoint);
    List<ShipReport> again = provisionAndStop(farm(inventory, app), endpoint);
    Files.writeString(data, "temperature-ladder=linear\n");
    List<ShipReport> changed = provisionAndStop(farm(inventory, app), endpoint);

    for (int i = 0; i < env.hosts().size(); i++) {
      assertTrue(first.get(i).bytesCopied() > Files.size(env.appJar()), first.get(i)::toString); // runtime + app
      assertEquals(0, again.get(i).filesCopied(), again.get(i)::toString);
      assertEquals(0, again.get(i).bytesCopied(), again.get(i)::toString);
      assertEquals(1, changed.get(i).filesCopied(), changed.get(i)::toString);
      assertEquals(Files.size(data), changed.get(i).bytesCopied(), changed.get(i)::toString);
    }
    assertEquals("temperature-ladder=linear",
        env.hosts().get(0).exec("cat", "/home/warren/.warren-ship-test/app/params.txt").stdout().strip());
  }

  @Test
  void aFileLeftOutOfTheShipmentIsNoLongerOnTheWorkersClassPath() throws Exception {
    HostInventory inventory = FarmFixture.inventory(env.hosts().subList(0, 1), env.knownHosts(), b -> b.workDir(".warren-left-out"));
    Path conf = Files.createDirectories(dir.resolve("left-out/conf"));
    Files.writeString(conf.resolve("old.properties"), "left=out\n");
    Files.writeString(conf.resolve("kept.properties"), "kept=yes\n");
    Shipment app = Shipment.builder().file(env.appJar()).directory(conf.getParent()).build();
    BrokerEndpoint endpoint = new BrokerEndpoint(env.broker().uri(), env.broker().username(), env.broker().password());
    provisionAndStop(farm(inventory, app), endpoint);
    Files.delete(conf.resolve("old.properties"));

    try (Grid grid = grid(farm(inventory, app))) {
      Resources resources = grid.proxy(grid.publish(new ClassPathResources()), Resources.class);
      assertTrue(resources.visible("conf/kept.properties"), "a shipped file is not on the worker's class path");
      assertFalse(resources.visible("conf/old.properties"), "a file the shipment no longer holds is on the class path");
    }
    // Left in place, not deleted: another farm sharing the work dir may still ship and use it.
    assertEquals(0, env.hosts().get(0).exec("test", "-f", "/home/warren/.warren-left-out/app/conf/old.properties").exitCode());
    assertEquals("", env.hosts().get(0).exec("find", "/home/warren/.warren-left-out/run", "-name", "*.app").stdout(),
        "a worker's view of the application outlived it");
  }

  @Test
  void hostsSharingAWorkDirGetTheFilesCopiedOnce() throws Exception {
    HostInventory inventory = HostInventory.of(List.of(
        FarmFixture.spec(env.hosts().get(0), "shared-a", env.knownHosts()).workDir(".warren-shared").sharedWorkDir(true).build(),
        FarmFixture.spec(env.hosts().get(0), "shared-b", env.knownHosts()).workDir(".warren-shared").sharedWorkDir(true).build()));
    BrokerEndpoint endpoint = new BrokerEndpoint(env.broker().uri(), env.broker().username(), env.broker().password());
    List<ShipReport> reports = provisionAndStop(farm(inventory, Shipment.ofFiles(List.of(env.appJar()))), endpoint);
    List<ShipReport> filled = reports.stream().filter(r -> r.sharedWith() == null).toList();
    List<ShipReport> shared = reports.stream().filter(r -> r.sharedWith() != null).toList();
    assertEquals(1, filled.size(), reports::toString);
    assertTrue(filled.get(0).bytesCopied() > 0, reports::toString);
    assertEquals(1, shared.size(), reports::toString);
    assertEquals(filled.get(0).host(), shared.get(0).sharedWith());
    assertEquals(0, shared.get(0).bytesCopied());
  }

  @Test
  void cleanWorkDirRemovesEverythingTheFarmLeftOnItsHosts() {
    HostInventory inventory = FarmFixture.inventory(env.hosts().subList(0, 1), env.knownHosts(), b -> b.workDir(".warren-clean"));
    BrokerEndpoint endpoint = new BrokerEndpoint(env.broker().uri(), env.broker().username(), env.broker().password());
    SshFarm farm = SshFarm.builder().inventory(inventory).ship(Shipment.ofFiles(List.of(env.appJar())))
        .cleanWorkDir(true).stopGrace(Duration.ofSeconds(15)).build();
    try (FarmWorkers workers = farm.start(endpoint)) {
      assertEquals(0, env.hosts().get(0).exec("test", "-d", "/home/warren/.warren-clean/app").exitCode());
    }
    assertEquals(1, env.hosts().get(0).exec("test", "-e", "/home/warren/.warren-clean").exitCode(), "the work dir is still there");
  }

  @Test
  void workersStartAnswerAndStopOnHostsWhoseLoginShellIsNotPosix() throws Exception {
    SshHostContainer host = env.hosts().get(0);
    for (String shell : List.of("/bin/tcsh", "/bin/zsh")) {
      String name = shell.substring(shell.lastIndexOf('/') + 1);
      HostInventory inventory = FarmFixture.inventory(List.of(host), env.knownHosts(), b -> b.workDir(".warren-" + name));
      assertEquals(0, host.exec("usermod", "-s", shell, SshHostContainer.USER).exitCode(), "cannot give the host " + shell);
      try {
        SshFarm farm = farm(inventory, Shipment.ofFiles(List.of(env.appJar())));
        try (Grid grid = grid(farm)) {
          Resources resources = grid.proxy(grid.publish(new ClassPathResources()), Resources.class);
          assertTrue(resources.visible("io/warren/farm/app/Replica.class"), "the shipped jar is not on the class path");
        }
        // As `warren down`: the run dir is there, with no pid file of this host left in it.
        assertEquals(List.of(), farm.stopDetached(Duration.ofSeconds(5)), "stopping on a host whose login shell is " + name);
        assertEquals("", FarmFixture.workerProcesses(host), "a worker still runs on " + host);
      } finally {
        host.exec("usermod", "-s", "/bin/bash", SshHostContainer.USER);
      }
    }
  }

  private static List<ShipReport> provisionAndStop(SshFarm farm, BrokerEndpoint endpoint) {
    try (FarmWorkers workers = farm.start(endpoint)) {
      assertEquals(Set.of(), Set.copyOf(workers.hostFailures()));
      return workers.shipReports();
    }
  }
}
