package io.warren.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.Grid;
import io.warren.grid.GridUnavailableException;
import io.warren.grid.Lease;
import io.warren.grid.PublishOptions;
import io.warren.grid.ServiceId;
import io.warren.testing.RabbitMqBroker;
import io.warren.testing.TestCertificates;
import io.warren.worker.LocalWorkers;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * TLS to the broker ({@code amqps://}): a RabbitMQ TLS listener with a certificate from a test CA.
 * Clients and workers verify the broker's certificate and host name against their trust store; a
 * worker that does not trust the CA refuses to connect and the grid says so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RabbitMqTlsIT {
  private static final List<String> WORKER_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private RabbitMqBroker broker;
  private TestCertificates certificates;
  private URI tlsUri;

  @BeforeAll
  void startTlsBroker() throws Exception {
    certificates = TestCertificates.create(Files.createTempDirectory("warren-tls-"));
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    broker = RabbitMqBroker.builder().config(certificates.rabbitTlsConfig(port)).start();
    tlsUri = URI.create("amqps://127.0.0.1:" + port);
    // This JVM (a fork of its own per test class) trusts the test CA; the workers are told below.
    System.setProperty("javax.net.ssl.trustStore", certificates.trustStore().toString());
  }

  @AfterAll
  void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void callsTravelOverTlsWithTheBrokersCertificateVerified() {
    List<String> jvm = new ArrayList<>(WORKER_JVM);
    jvm.add("-Djavax.net.ssl.trustStore=" + certificates.trustStore()); // no password: nothing secret in argv
    try (Grid grid = Grid.builder()
        .broker(tlsUri)
        .credentials(broker.username(), broker.password())
        .workers(LocalWorkers.builder().count(1).slots(2).jvmOptions(jvm)
            .logDirectory(Path.of("target", "worker-logs", "RabbitMqTlsIT", "trusted")).build())
        .build()) {
      ServiceId id = grid.publish(new TallyService(4), PublishOptions.defaults().instances(2));
      assertEquals(4, grid.proxy(id, Tally.class).get());
      try (Lease<Tally> lease = grid.acquire(id, Tally.class, Duration.ofSeconds(10))) {
        assertEquals(10, lease.service().hit(5).doubled());
      }
      String connections = broker.rabbitmqctl("list_connections", "name", "ssl").stdout();
      long overTls = connections.lines().filter(line -> line.trim().endsWith("true")).count();
      assertTrue(overTls >= 2, "the client and the worker connected over TLS:\n" + connections);
      assertEquals(0, connections.lines().filter(line -> line.trim().endsWith("false")).count(),
          "no plain connection:\n" + connections);
    }
  }

  @Test
  void aWorkerThatDoesNotTrustTheBrokerRefusesToConnect() {
    GridUnavailableException e = assertThrows(GridUnavailableException.class, () -> Grid.builder()
        .broker(tlsUri)
        .credentials(broker.username(), broker.password())
        .workers(LocalWorkers.builder().count(1).slots(1).jvmOptions(WORKER_JVM)
            .logDirectory(Path.of("target", "worker-logs", "RabbitMqTlsIT", "untrusted")).build())
        .startupTimeout(Duration.ofSeconds(30))
        .build());
    assertTrue(e.getMessage().contains("certification path") || e.getMessage().contains("PKIX"),
        "the worker's log tail says its broker certificate was not trusted: " + e.getMessage());
  }
}
