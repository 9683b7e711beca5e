package io.warren.ssh;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * One local file and where it goes on a host.
 *
 * @param remotePath the path under the shipment's remote directory, '/'-separated, never absolute
 * @param source the local file
 * @param size its size in bytes
 * @param sha256 its content hash, lower-case hex: equal hashes on both ends mean nothing to copy
 */
public record ShipFile(String remotePath, Path source, long size, String sha256) {
  public ShipFile {
    requireNonNull(remotePath, "remotePath == null");
    requireNonNull(source, "source == null");
    requireNonNull(sha256, "sha256 == null");
    if (remotePath.isEmpty() || remotePath.startsWith("/") || remotePath.contains("\n")
        || ("/" + remotePath + "/").contains("/../")) {
      throw new IllegalArgumentException("not a safe relative path: " + remotePath);
    }
  }
}
