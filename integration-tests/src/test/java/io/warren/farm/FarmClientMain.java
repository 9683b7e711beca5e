package io.warren.farm;

import io.warren.grid.Grid;
import io.warren.ssh.HostInventory;
import io.warren.ssh.HostSpec;
import io.warren.ssh.Shipment;
import io.warren.ssh.SshFarm;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * A client JVM for {@code SshFarmFailureIT}: builds a grid on one SSH host, prints {@link #READY},
 * and waits to be killed. Credentials come from the environment.
 *
 * <p>Arguments: broker URI, host address, port, identity file, known_hosts file, app jar.
 */
public final class FarmClientMain {
  static final String READY = "farm-client-ready";

  public static void main(String[] args) throws Exception {
    HostSpec host = HostSpec.builder(args[1]).name("client-host").port(Integer.parseInt(args[2])).user("warren")
        .identityFile(Path.of(args[3])).knownHosts(Path.of(args[4])).workDir(".warren-client").slots(1)
        .jvmOptions(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")).build();
    Grid grid = Grid.builder().broker(URI.create(args[0]))
        .credentials(System.getenv("WARREN_BROKER_USERNAME"), System.getenv("WARREN_BROKER_PASSWORD"))
        .workers(SshFarm.builder().inventory(HostInventory.of(List.of(host))).ship(Shipment.ofFiles(List.of(Path.of(args[5])))).build())
        .build();
    System.out.println(READY);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // until killed; the grid is deliberately never closed
    grid.close();
  }
}
