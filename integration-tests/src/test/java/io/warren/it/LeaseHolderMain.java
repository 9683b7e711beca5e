package io.warren.it;

import io.warren.grid.Grid;
import io.warren.grid.Lease;
import io.warren.grid.ServiceId;
import java.net.URI;
import java.time.Duration;

/**
 * A client in its own JVM that takes a lease and then waits to be killed: {@code LeaseHolderMain
 * <broker-uri> <service-id> <lease-ttl-millis>}, credentials in WARREN_TEST_USERNAME/PASSWORD.
 */
public final class LeaseHolderMain {
  private LeaseHolderMain() {}

  public static void main(String[] args) throws Exception {
    Grid grid = Grid.builder()
        .broker(URI.create(args[0]))
        .credentials(System.getenv("WARREN_TEST_USERNAME"), System.getenv("WARREN_TEST_PASSWORD"))
        .leaseTtl(Duration.ofMillis(Long.parseLong(args[2])))
        .build();
    Lease<Tally> lease = grid.acquire(new ServiceId(args[1]), Tally.class, Duration.ofSeconds(30));
    lease.service().set(99);
    System.out.println("HELD " + lease.instance());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // renewing in the background until killed
  }
}
