package io.warren.farm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.farm.app.DoubleWellReplica;
import io.warren.farm.app.Replica;
import io.warren.farm.app.SlowSquarer;
import io.warren.farm.app.Squarer;
import io.warren.grid.Grid;
import io.warren.grid.GridException;
import io.warren.grid.Lease;
import io.warren.grid.LostInstanceException;
import io.warren.grid.PublishOptions;
import io.warren.grid.ServiceId;
import io.warren.grid.spi.BrokerEndpoint;
import io.warren.ssh.FarmProvisioningException;
import io.warren.ssh.FarmWorkers;
import io.warren.ssh.HostFailure;
import io.warren.ssh.HostFailure.Reason;
import io.warren.ssh.HostInventory;
import io.warren.ssh.HostSpec;
import io.warren.ssh.Shipment;
import io.warren.ssh.SshFarm;
import io.warren.testing.SshHostContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Faults on the farm: a host that dies mid-run, and env.hosts() that cannot be used at all. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SshFarmFailureIT {
  @TempDir static Path dir;
  static FarmEnvironment env;

  @BeforeAll
  static void startHostsAndBroker() throws Exception {
    env = FarmEnvironment.start(dir, List.of("127.0.1.21", "127.0.1.22", "127.0.1.23"));
  }

  @AfterAll
  static void stopAll() {
    if (env != null) {
      env.close();
    }
  }

  private static SshFarm farm(HostInventory inventory) {
    return SshFarm.builder().inventory(inventory).ship(Shipment.ofFiles(List.of(env.appJar())))
        .heartbeatInterval(Duration.ofMillis(500)).stopGrace(Duration.ofSeconds(10)).build();
  }

  /** Starts a farm of {@code host} alone, in {@code workDir}, which must fail: the host's failure. */
  private static HostFailure theOnlyFailure(SshHostContainer host, String workDir) {
    HostInventory inventory = FarmFixture.inventory(List.of(host), env.knownHosts(), b -> b.workDir(workDir));
    FarmProvisioningException e = assertThrows(FarmProvisioningException.class, () -> farm(inventory).start(endpoint()));
    assertEquals(1, e.failures().size(), e::getMessage);
    return e.failures().get(0);
  }

  private static BrokerEndpoint endpoint() {
    return new BrokerEndpoint(env.broker().uri(), env.broker().username(), env.broker().password());
  }

  @Test
  void aLoginUserWithoutAShellIsNamedAsSuchNotAsMissingJava() {
    SshHostContainer host = env.hosts().get(2);
    assertEquals(0, host.exec("usermod", "-s", "/usr/sbin/nologin", SshHostContainer.USER).exitCode());
    try {
      HostFailure failure = theOnlyFailure(host, ".warren-nologin");
      assertEquals(Reason.LOGIN_SHELL_UNUSABLE, failure.reason(), failure::describe);
      assertTrue(failure.detail().contains("This account is currently not available"), failure::describe);
    } finally {
      host.exec("usermod", "-s", "/bin/bash", SshHostContainer.USER);
    }
  }

  @Test
  void aLoginShellThatPrintsBeforeEveryCommandIsNamedAsTheReasonShippingFails() throws Exception {
    SshHostContainer host = env.hosts().get(2);
    String bashrc = "/home/warren/.bashrc";
    // Ahead of Debian's early return for non-interactive shells: printed for every command, as a
    // cluster's greeting or a module system's chatter can be. SFTP starts through the login shell too.
    assertEquals(0, host.exec("sh", "-c", "cp " + bashrc + " " + bashrc + ".orig && { echo 'echo Welcome to the cluster'; cat "
        + bashrc + ".orig; } > " + bashrc).exitCode());
    try {
      HostFailure failure = theOnlyFailure(host, ".warren-noisy");
      assertEquals(Reason.SHIP_FAILED, failure.reason(), failure::describe);
      assertTrue(failure.detail().contains("Welcome to the cluster"), failure::describe);
    } finally {
      host.exec("sh", "-c", "mv " + bashrc + ".orig " + bashrc);
    }
  }

  @Test
  void eachUnusableHostIsNamedWithItsReasonAndTheGoodHostGoesOn() throws Exception {
    SshHostContainer good = env.hosts().get(0);
    Path strangerKey = FarmFixture.newLoginKey(dir);
    Path emptyKnownHosts = Files.writeString(dir.resolve("empty_known_hosts"), "");
    // The right address with another host's key: what a man in the middle (or a reinstall) looks like.
    String otherKey = env.hosts().get(1).knownHostsLine().substring(env.hosts().get(1).knownHostsLine().indexOf(' ') + 1);
    Path wrongKnownHosts = Files.writeString(dir.resolve("wrong_known_hosts"), "[" + good.address() + "]:" + good.port() + " " + otherKey + "\n");
    List<HostSpec> specs = List.of(
        FarmFixture.spec(good, "good", env.knownHosts()).build(),
        FarmFixture.spec(good, "refused-key", env.knownHosts()).identityFile(strangerKey).build(),
        FarmFixture.spec(good, "unknown-host-key", emptyKnownHosts).build(),
        FarmFixture.spec(good, "changed-host-key", wrongKnownHosts).build(),
        HostSpec.builder("127.0.1.29").name("port-closed").port(2222).user("warren")
            .identityFile(good.identityFile()).knownHosts(env.knownHosts()).build(),
        FarmFixture.spec(good, "no-java", env.knownHosts()).javaCommand("/opt/no-jdk/bin/java").build(),
        FarmFixture.spec(good, "read-only-work-dir", env.knownHosts()).workDir("/proc/warren").build());

    try (FarmWorkers workers = farm(new HostInventory(specs, 1)).start(endpoint())) {
      Map<String, Reason> reasons = workers.hostFailures().stream()
          .collect(Collectors.toMap(HostFailure::host, HostFailure::reason));
      assertEquals(Map.of(
          "refused-key", Reason.AUTH_REFUSED,
          "unknown-host-key", Reason.HOST_KEY_UNKNOWN,
          "changed-host-key", Reason.HOST_KEY_CHANGED,
          "port-closed", Reason.UNREACHABLE,
          "no-java", Reason.JAVA_MISSING,
          "read-only-work-dir", Reason.WORK_DIR_NOT_WRITABLE), reasons, workers.hostFailures()::toString);
      assertEquals(List.of("good"), List.copyOf(workers.workersByHost().keySet()));
    }

    // When every host is required, the grid does not start, and the error names the refused host.
    HostInventory allRequired = HostInventory.of(specs.subList(0, 2));
    FarmProvisioningException e = assertThrows(FarmProvisioningException.class, () -> Grid.builder()
        .broker(env.broker().uri()).credentials(env.broker().username(), env.broker().password()).workers(farm(allRequired)).build());
    assertTrue(e.getMessage().contains("refused-key: auth refused"), e.getMessage());
    assertEquals(List.of("refused-key"), e.failures().stream().map(HostFailure::host).toList());
    assertEquals("", FarmFixture.workerProcesses(good), "the good host's worker was not stopped");
  }

  @Test
  void aliasesFromSshConfigResolveAndPassphraseProtectedKeysWork() throws Exception {
    try (SshHostContainer locked = SshHostContainer.builder().address("127.0.1.24").passphrase("open sesame").start()) {
      SshHostContainer plain = env.hosts().get(0);
      Path known = FarmFixture.knownHosts(dir, List.of(plain, locked));
      Path sshConfig = Files.writeString(dir.resolve("ssh_config"), """
          Host farm-alias
            HostName %s
            Port %d
            User warren
            IdentityFile %s
          """.formatted(plain.address(), plain.port(), plain.identityFile()));
      HostInventory inventory = new HostInventory(List.of(
          HostSpec.builder("farm-alias").name("via-alias").knownHosts(known).slots(1).build(),
          FarmFixture.spec(locked, "with-passphrase", known).passphrase("open sesame").build(),
          FarmFixture.spec(locked, "wrong-passphrase", known).passphrase("open barley").build(),
          FarmFixture.spec(locked, "no-passphrase", known).build()), 2);
      SshFarm farm = SshFarm.builder().inventory(inventory).sshConfig(sshConfig).ship(Shipment.ofFiles(List.of(env.appJar())))
          .stopGrace(Duration.ofSeconds(10)).build();
      try (FarmWorkers workers = farm.start(endpoint())) {
        assertEquals(List.of("via-alias", "with-passphrase"), List.copyOf(workers.workersByHost().keySet()),
            workers.hostFailures()::toString);
        assertEquals(List.of(Reason.IDENTITY_UNUSABLE, Reason.IDENTITY_UNUSABLE),
            workers.hostFailures().stream().map(HostFailure::reason).toList(), workers.hostFailures()::toString);
        assertTrue(workers.hostFailures().get(1).detail().contains("is passphrase-protected and no passphrase was given"),
            workers.hostFailures()::toString);
        assertTrue(workers.hostFailures().stream().noneMatch(f -> f.describe().contains("open")), "a passphrase was shown");
      }
    }
  }

  @Test
  void workersEndWhenTheirClientJvmIsKilled() throws Exception {
    SshHostContainer host = env.hosts().get(2);
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), FarmClientMain.class.getName(),
        env.broker().uri().toString(), host.address(), Integer.toString(host.port()), host.identityFile().toString(),
        env.knownHosts().toString(), env.appJar().toString());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("WARREN_BROKER_USERNAME", env.broker().username());
    builder.environment().put("WARREN_BROKER_PASSWORD", env.broker().password());
    Process client = builder.start();
    try {
      java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(client.getInputStream()));
      StringBuilder seen = new StringBuilder();
      for (String line; (line = lines.readLine()) != null && !line.equals(FarmClientMain.READY); ) {
        seen.append(line).append('\n');
      }
      assertTrue(client.isAlive(), "the client died before its farm came up:\n" + seen);
      assertTrue(!FarmFixture.workerProcesses(host).isEmpty(), "no worker runs on " + host);
      client.destroyForcibly().waitFor(); // kill -9: no shutdown hook, no goodbye
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!FarmFixture.workerProcesses(host).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(250);
      }
      assertEquals("", FarmFixture.workerProcesses(host), "the worker outlived its client by a minute");
    } finally {
      client.destroyForcibly();
    }
  }

  @Test
  void aWorkerThatDiesAtStartUpIsReportedWithItsRemoteLog() {
    HostInventory inventory = HostInventory.of(List.of(
        FarmFixture.spec(env.hosts().get(0), "bad-jvm-option", env.knownHosts()).jvmOptions(List.of("-XX:+NoSuchJvmOption")).build()));
    FarmProvisioningException e = assertThrows(FarmProvisioningException.class, () -> Grid.builder()
        .broker(env.broker().uri()).credentials(env.broker().username(), env.broker().password()).workers(farm(inventory)).build());
    HostFailure failure = e.failures().get(0);
    assertEquals(Reason.START_FAILED, failure.reason(), failure::describe);
    assertTrue(failure.logTail().contains("NoSuchJvmOption"), failure::describe);
  }

  @Test
  void aDetachedWorkerThatDiesAtStartUpIsReportedWithItsRemoteLog() throws Exception {
    HostInventory inventory = HostInventory.of(List.of(FarmFixture.spec(env.hosts().get(1), "detached-bad-jvm-option",
        env.knownHosts()).jvmOptions(List.of("-XX:+NoSuchJvmOption")).build()));
    SshFarm farm = SshFarm.builder().inventory(inventory).ship(Shipment.ofFiles(List.of(env.appJar())))
        .detached(true).stopGrace(Duration.ofSeconds(10)).build();
    try (FarmWorkers workers = farm.start(endpoint())) {
      // As warren up's wait for heartbeats asks: the JVM refuses the option and exits, seen by its pid.
      Optional<GridException> failed = workers.failure();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (failed.isEmpty() && System.nanoTime() - deadline < 0) {
        Thread.sleep(100);
        failed = workers.failure();
      }
      FarmProvisioningException e = assertInstanceOf(FarmProvisioningException.class,
          failed.orElseThrow(() -> new AssertionError("the dead worker was never noticed")));
      HostFailure failure = e.failures().get(0);
      assertEquals(Reason.START_FAILED, failure.reason(), failure::describe);
      assertTrue(failure.logTail().contains("NoSuchJvmOption"), failure::describe);
    }
  }

  @Test
  void aStoppedDetachedWorkerGetsTheStopGraceToDrainBeforeItIsKilled() throws Exception {
    SshHostContainer host = env.hosts().get(1);
    // A stand-in for the worker JVM whose drain after TERM takes 2 s (java -version still answers the probe).
    host.exec("sh", "-c", "printf '%s\\n' '#!/bin/sh' 'if [ \"$1\" = -version ]; then exec java -version; fi' "
        + "'trap \"sleep 2; echo drained; exit 0\" TERM' 'echo ready' 'while :; do sleep 0.1; done' "
        + "> /usr/local/bin/slow-drain-java && chmod 755 /usr/local/bin/slow-drain-java");
    HostInventory inventory = HostInventory.of(List.of(FarmFixture.spec(host, "slow-drain", env.knownHosts())
        .javaCommand("/usr/local/bin/slow-drain-java").workDir(".warren-slow-drain").build()));
    SshFarm farm = SshFarm.builder().inventory(inventory).ship(Shipment.ofFiles(List.of(env.appJar())))
        .detached(true).stopGrace(Duration.ofSeconds(30)).build();
    String log;
    try (FarmWorkers workers = farm.start(endpoint())) {
      log = "/home/warren/.warren-slow-drain/logs/" + workers.workersByHost().get("slow-drain") + ".log";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!host.exec("cat", log).stdout().contains("ready") && System.nanoTime() - deadline < 0) {
        Thread.sleep(100); // its TERM trap is set once it says so
      }
    }
    assertTrue(host.exec("cat", log).stdout().contains("drained"), "killed before its drain ended");
  }

  @Test
  void aKilledHostFailsItsLeasesAndStatelessWorkFinishesOnTheOthers() throws Exception {
    // This test kills a host: it gets env.hosts() of its own, so the others above stay intact.
    List<SshHostContainer> own = FarmFixture.startHosts(List.of("127.0.1.31", "127.0.1.32", "127.0.1.33"));
    try {
      Path ownKnownHosts = FarmFixture.knownHosts(dir, own);
      HostInventory inventory = FarmFixture.inventory(own, ownKnownHosts, b -> b);
      try (Grid grid = Grid.builder().broker(env.broker().uri()).credentials(env.broker().username(), env.broker().password())
          .workers(farm(inventory)).startupTimeout(Duration.ofSeconds(90)).callTimeout(Duration.ofMinutes(2)).build()) {
        ServiceId replicas = grid.publish(new DoubleWellReplica(1), PublishOptions.defaults().instances(6));
        ServiceId squarer = grid.publish(new SlowSquarer(), PublishOptions.defaults().instances(6));
        List<Lease<Replica>> leases = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          leases.add(grid.acquire(replicas, Replica.class, Duration.ofSeconds(30)));
        }
        Map<String, List<Lease<Replica>>> byHost = leases.stream()
            .collect(Collectors.groupingBy(l -> l.service().sweep(10).host()));
        assertEquals(3, byHost.size(), "6 instances over 3 env.hosts() of 2 slots: " + byHost.keySet());

        Squarer proxy = grid.proxy(squarer, Squarer.class);
        List<CompletableFuture<Squarer.Result>> work = new ArrayList<>();
        for (long x = 0; x < 300; x++) {
          long n = x;
          work.add(Grid.async(proxy, s -> s.square(n, 20)));
        }
        Thread.sleep(500); // let every host take some of the work
        own.get(0).kill(); // host-1 crashes: its worker dies without a word

        for (Lease<Replica> lease : byHost.get("host-1")) {
          ExecutionException failed = assertThrows(ExecutionException.class,
              () -> lease.async(r -> r.sweep(10)).get(30, TimeUnit.SECONDS));
          assertInstanceOf(LostInstanceException.class, failed.getCause());
        }
        for (String survivor : List.of("host-2", "host-3")) {
          for (Lease<Replica> lease : byHost.get(survivor)) {
            assertEquals(survivor, lease.async(r -> r.sweep(10)).get(30, TimeUnit.SECONDS).host());
          }
        }
        for (int x = 0; x < work.size(); x++) {
          Squarer.Result result = work.get(x).get(90, TimeUnit.SECONDS);
          assertEquals((long) x * x, result.value(), "call " + x);
        }
        Map<String, Long> perHost = work.stream().map(CompletableFuture::join)
            .collect(Collectors.groupingBy(Squarer.Result::host, Collectors.counting()));
        assertTrue(perHost.keySet().containsAll(List.of("host-2", "host-3")), perHost::toString);
        leases.stream().filter(l -> !byHost.get("host-1").contains(l)).forEach(Lease::close);
      }
      for (SshHostContainer host : own.subList(1, 3)) {
        assertEquals("", FarmFixture.workerProcesses(host), "a worker still runs on " + host);
      }
    } finally {
      own.forEach(SshHostContainer::close);
    }
  }
}
