package io.warren.cli;

import io.warren.ssh.HostInventory;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --hosts} inventory option of the farm commands. */
final class HostsOption {
  @Option(names = "--hosts", required = true, paramLabel = "FILE",
      description = "Host inventory (YAML); see docs/farm.md.")
  Path hosts;

  /** The inventory; a bad file is an {@link io.warren.ssh.InventoryException} naming the entry. */
  HostInventory load() {
    return HostInventory.load(hosts);
  }
}
