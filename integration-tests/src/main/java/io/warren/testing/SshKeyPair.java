package io.warren.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An ed25519 key pair made by the machine's {@code ssh-keygen}, as OpenSSH files.
 *
 * <pre>{@code
 * SshKeyPair host = SshKeyPair.generate(dir, "host_ed25519", "", "warren-test-host");
 * Files.readString(host.publicKeyFile());   // "ssh-ed25519 AAAA... warren-test-host"
 * }</pre>
 *
 * @param privateKeyFile the private key, mode 600 (ssh-keygen's own)
 * @param publicKeyFile the public key, {@code privateKeyFile} + ".pub"
 */
record SshKeyPair(Path privateKeyFile, Path publicKeyFile) {
  private static final Duration KEYGEN_TIMEOUT = Duration.ofSeconds(30);

  SshKeyPair {
    requireNonNull(privateKeyFile, "privateKeyFile == null");
    requireNonNull(publicKeyFile, "publicKeyFile == null");
  }

  /**
   * Generates {@code dir/name} and {@code dir/name.pub}; an empty {@code passphrase} leaves the
   * private key unencrypted.
   *
   * @throws IllegalStateException if ssh-keygen is missing or fails
   */
  static SshKeyPair generate(Path dir, String name, String passphrase, String comment) {
    requireNonNull(passphrase, "passphrase == null");
    Path privateKey = dir.resolve(name);
    ExecResult result;
    try {
      result = Exec.run(
          List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", comment,
              "-f", privateKey.toString()),
          Map.of(), dir, KEYGEN_TIMEOUT);
    } catch (UncheckedIOException e) {
      throw new IllegalStateException("cannot run ssh-keygen: install Debian's openssh-client "
          + "(scripts/install-test-deps.sh does)", e);
    }
    if (!result.succeeded()) {
      throw new IllegalStateException("ssh-keygen failed: " + result);
    }
    return new SshKeyPair(privateKey, dir.resolve(name + ".pub"));
  }

  /** The public key as {@code authorized_keys} and {@code known_hosts} want it: type and key. */
  String publicKey() {
    try {
      String[] fields = Files.readString(publicKeyFile, UTF_8).trim().split("\\s+");
      return fields[0] + " " + fields[1];
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + publicKeyFile, e);
    }
  }

  /** The private key file's bytes. */
  byte[] privateKeyBytes() {
    try {
      return Files.readAllBytes(privateKeyFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + privateKeyFile, e);
    }
  }
}
