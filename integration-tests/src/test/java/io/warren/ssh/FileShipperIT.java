package io.warren.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.testing.SshHostContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Shipping files to a real sshd: what lands on the host, under which names, and how often. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FileShipperIT {
  @TempDir static Path dir;
  static SshHostContainer host;
  static Path knownHosts;

  @BeforeAll
  static void startHost() throws Exception {
    host = SshHostContainer.start("127.0.1.51");
    knownHosts = Files.writeString(dir.resolve("known_hosts"), host.knownHostsLine() + "\n");
  }

  @AfterAll
  static void stopHost() {
    if (host != null) {
      host.close();
    }
  }

  @Test
  void twoProvisioningsShippingOneFileAtOnceLeaveOneWholeVersionAndNoPartialFile() throws Exception {
    List<ShipFile> first = Shipment.ofFiles(List.of(randomFile(dir.resolve("v1/big.bin"), 1))).resolve();
    List<ShipFile> second = Shipment.ofFiles(List.of(randomFile(dir.resolve("v2/big.bin"), 2))).resolve();
    HostSpec spec = spec(".warren-race");
    CyclicBarrier together = new CyclicBarrier(2);
    ExecutorService two = Executors.newFixedThreadPool(2);
    try {
      Future<ShipReport> a = two.submit(() -> shipTogether(together, spec, first));
      Future<ShipReport> b = two.submit(() -> shipTogether(together, spec, second));
      assertEquals(1, a.get().filesCopied());
      assertEquals(1, b.get().filesCopied());
    } finally {
      two.shutdownNow();
    }
    String landed = remote("sha256sum /home/warren/.warren-race/big.bin | cut -c1-64");
    assertTrue(Set.of(first.get(0).sha256(), second.get(0).sha256()).contains(landed), "a mix of both versions landed");
    assertEquals("big.bin", remote("ls -A /home/warren/.warren-race"), "a partial file was left");
  }

  @Test
  void namesWithGlobCharactersLandUnderTheirOwnNamesAndShipOnlyOnce() throws Exception {
    List<String> names = List.of("a?b.txt", "c\\d.txt", "e*f.txt", "g[h].txt", "k\\?l.txt", "sub?dir/i\\j*.txt");
    Path root = dir.resolve("globs");
    for (String name : names) {
      Path file = root.resolve(name);
      Files.createDirectories(file.getParent());
      Files.writeString(file, name);
    }
    List<ShipFile> files = Shipment.builder().directory(root).build().resolve();
    HostSpec spec = spec(".warren-globs");
    assertEquals(names.size(), ship(spec, files).filesCopied());
    assertEquals(0, ship(spec, files).filesCopied(), "a file was copied again");
    assertEquals(names.stream().sorted().toList(),
        List.of(remote("cd /home/warren/.warren-globs && find . -type f | cut -c3- | LC_ALL=C sort").split("\n")));
    for (String name : names) {
      assertEquals(name, host.exec("cat", "/home/warren/.warren-globs/" + name).stdout(), name);
    }
  }

  @Test
  void partialFilesThatNoUploadWroteToForTenMinutesAreRemovedByTheNextShipment() throws Exception {
    // A failed upload (a stall, a lost session) may leave its partial file behind.
    String workDir = "/home/warren/.warren-leftovers";
    assertEquals(0, host.exec("sh", "-c", "mkdir -p " + workDir + "/lib && cd " + workDir
        + " && touch -d '11 minutes ago' .warren-part-old lib/.warren-part-old && touch .warren-part-live && chown -R warren: .").exitCode());
    Path file = Files.writeString(dir.resolve("leftovers.txt"), "shipped");
    assertEquals(1, ship(spec(".warren-leftovers"), Shipment.ofFiles(List.of(file)).resolve()).filesCopied());
    assertEquals(".warren-part-live\nleftovers.txt\nlib", remote("cd " + workDir + " && ls -A && ls -A lib"),
        "the old partial files are gone; the one a live upload may still write is kept");
  }

  private static HostSpec spec(String workDir) {
    return HostSpec.builder(host.address()).name("shipper").port(host.port()).user(host.user())
        .identityFile(host.identityFile()).knownHosts(knownHosts).workDir(workDir).build();
  }

  private static ShipReport ship(HostSpec spec, List<ShipFile> files) throws HostException {
    try (SshConnection connection = SshConnection.open(spec, null)) {
      return FileShipper.ship(connection, files, ShipProgress.NONE);
    }
  }

  private static String remote(String command) {
    return host.exec("sh", "-c", command).stdout().strip();
  }

  /** Opens its own session, then ships once the other thread is ready to ship too. */
  private static ShipReport shipTogether(CyclicBarrier together, HostSpec spec, List<ShipFile> files) throws Exception {
    try (SshConnection connection = SshConnection.open(spec, null)) {
      together.await(1, TimeUnit.MINUTES);
      return FileShipper.ship(connection, files, ShipProgress.NONE);
    }
  }

  /** 32 MB of seeded random bytes: long enough to upload that two uploads overlap (and that a stall shows). */
  static Path randomFile(Path file, long seed) throws Exception {
    Files.createDirectories(file.getParent());
    Random random = new Random(seed);
    byte[] chunk = new byte[1 << 20];
    try (var out = Files.newOutputStream(file)) {
      for (int i = 0; i < 32; i++) {
        random.nextBytes(chunk);
        out.write(chunk);
      }
    }
    return file;
  }
}
