package io.warren.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostInventoryTest {
  private static final Path BASE = Path.of("/etc/warren");

  private static HostInventory parse(String yaml) {
    return HostInventory.parse(yaml, "hosts.yaml", BASE, Map.of("PASS", "s3cret"));
  }

  @Test
  void defaultsApplyToEveryHostThatDoesNotSetTheKey() {
    HostInventory inventory = parse("""
        defaults:
          user: warren
          identityFile: keys/id_ed25519
          passphraseEnv: PASS
          workDir: /scratch/warren
          jvmOptions: [-Xmx1g, -XX:+UseZGC]
          nice: 5
          env: {OMP_NUM_THREADS: 1}
        hosts:
          - node1
          - host: node2.lab
            port: 2222
            user: other
            slots: 16
            hostKeyChecking: accept-any-insecure
        """);
    assertEquals(2, inventory.hosts().size());
    assertEquals(2, inventory.minHosts());
    HostSpec first = inventory.hosts().get(0);
    assertEquals("node1", first.name());
    assertEquals("warren", first.user());
    assertEquals(0, first.port());
    assertEquals(BASE.resolve("keys/id_ed25519"), first.identityFile());
    assertEquals("s3cret", first.passphrase());
    assertEquals(List.of("-Xmx1g", "-XX:+UseZGC"), first.jvmOptions());
    assertEquals(Map.of("OMP_NUM_THREADS", "1"), first.environment());
    assertEquals(HostKeyChecking.STRICT, first.hostKeyChecking());
    HostSpec second = inventory.hosts().get(1);
    assertEquals("other", second.user());
    assertEquals(2222, second.port());
    assertEquals(16, second.slots());
    assertEquals(5, second.nice());
    assertEquals(HostKeyChecking.ACCEPT_ANY_INSECURE, second.hostKeyChecking());
  }

  @Test
  void passphraseNeverShowsInToString() {
    HostSpec host = parse("defaults: {passphraseEnv: PASS}\nhosts: [node1]").hosts().get(0);
    assertFalse(host.toString().contains("s3cret"), host.toString());
    assertTrue(host.toString().contains("***"));
  }

  @Test
  void homeRelativePathsExpand() {
    HostSpec host = parse("hosts: [{host: a, knownHosts: ~/.ssh/kh}]").hosts().get(0);
    assertEquals(Path.of(System.getProperty("user.home"), ".ssh/kh"), host.knownHosts());
    assertNull(host.identityFile());
  }

  @Test
  void minHostsIsReadAndChecked() {
    assertEquals(1, parse("minHosts: 1\nhosts: [a, b]").minHosts());
    InventoryException e = assertThrows(InventoryException.class, () -> parse("minHosts: 3\nhosts: [a, b]"));
    assertTrue(e.getMessage().contains("minHosts must be 1..2"), e.getMessage());
  }

  @Test
  void errorsNameTheFileTheEntryAndTheProblem() {
    assertError("hosts.yaml: hosts[1].port: expected an integer, was \"ssh\"", "hosts: [a, {host: b, port: ssh}]");
    assertError("hosts.yaml: hosts[0].prot: unknown key", "hosts: [{host: a, prot: 22}]");
    assertError("hosts.yaml: hosts: expected a non-empty list of hosts", "hosts: []");
    assertError("hosts.yaml: hosts[0]: 'host' is required", "hosts: [{user: x}]");
    assertError("hosts.yaml: hosts[0].passphraseEnv: environment variable NOPE is not set",
        "hosts: [{host: a, passphraseEnv: NOPE}]");
    assertError("hosts.yaml: hosts[0].hostKeyChecking: expected strict or accept-any-insecure", "hosts: [{host: a, hostKeyChecking: no}]");
    assertError("hosts.yaml: hosts[0]: a: port must be 0..65535, was 70000", "hosts: [{host: a, port: 70000}]");
    assertError("hosts.yaml: hosts[0].env.BAD: expected a plain value", "hosts: [{host: a, env: {BAD: [1]}}]");
    assertError("hosts.yaml: not valid YAML", "hosts: [a, b\n  - : :");
    assertError("two hosts are named 'a'", "hosts: [a, a]");
    assertError("hosts.yaml: defaults: 'host' and 'name' belong to each host", "defaults: {host: x}\nhosts: [a]");
  }

  @Test
  void aMissingFileIsATypedErrorNamingIt(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");
    InventoryException e = assertThrows(InventoryException.class, () -> HostInventory.load(missing));
    assertTrue(e.getMessage().startsWith(missing.toString()), e.getMessage());
  }

  @Test
  void loadResolvesRelativePathsAgainstTheFilesDirectory(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("hosts.yaml");
    Files.writeString(file, "hosts: [{host: a, identityFile: id_key}]");
    assertEquals(dir.resolve("id_key"), HostInventory.load(file).hosts().get(0).identityFile());
  }

  private static void assertError(String expectedStart, String yaml) {
    InventoryException e = assertThrows(InventoryException.class, () -> parse(yaml));
    assertTrue(e.getMessage().contains(expectedStart), "got: " + e.getMessage());
  }
}
