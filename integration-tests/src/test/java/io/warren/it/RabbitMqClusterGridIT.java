package io.warren.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.embedded.EmbeddedBroker;
import io.warren.farm.app.SlowSquarer;
import io.warren.farm.app.Squarer;
import io.warren.grid.Grid;
import io.warren.grid.PublishFailedException;
import io.warren.grid.PublishOptions;
import io.warren.grid.ServiceId;
import io.warren.testing.RabbitMqCluster;
import io.warren.worker.LocalWorkers;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A three-node RabbitMQ cluster with replicated (quorum) service queues: a node that stops under
 * load — the node the service queue's leader, one worker and the publishing client are on — loses
 * no call.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class RabbitMqClusterGridIT {
  private static final int CALLS = 400;

  @Test
  void stoppingTheQueueLeadersNodeUnderLoadLosesNoCall() throws Exception {
    try (RabbitMqCluster cluster = RabbitMqCluster.start(3)) {
      List<URI> nodes = cluster.uris();
      // Each client and worker prefers one node and fails over to the others in order.
      try (Grid onNode1 = grid(cluster, nodes, 1, 0, 2).workers(workers("worker-a")).build();
           Grid onNode2 = grid(cluster, nodes, 2, 0, 1).workers(workers("worker-b")).build();
           Grid caller = grid(cluster, nodes, 0, 1, 2).build()) {
        awaitWorkers(onNode1, 2);
        // Published through node 1: the quorum queue's leader starts there (client-local placement).
        ServiceId service = onNode1.publish(new SlowSquarer(), PublishOptions.defaults().named("cluster-squarer").instances(4));
        String queue = "warren.service." + service.value();
        assertTrue(leaderOf(cluster, 0, queue).contains(cluster.node(1).nodeName()), () -> cluster.rabbitmqctl(0, "list_queues", "name", "type", "leader").stdout());

        Squarer proxy = caller.proxy(caller.lookup("cluster-squarer"), Squarer.class);
        List<CompletableFuture<Squarer.Result>> calls = new ArrayList<>();
        for (long x = 0; x < CALLS; x++) {
          long n = x;
          calls.add(Grid.async(proxy, s -> s.square(n, 10)));
        }
        while (calls.stream().filter(CompletableFuture::isDone).count() < CALLS / 4) {
          Thread.sleep(20);
        }
        cluster.node(1).stopNode(); // the leader's node, worker a's and the publisher's connections

        for (int x = 0; x < CALLS; x++) {
          assertEquals((long) x * x, calls.get(x).get(150, TimeUnit.SECONDS).value(), "call " + x);
        }
        Map<String, Long> byWorker = calls.stream().map(CompletableFuture::join)
            .collect(Collectors.groupingBy(Squarer.Result::host, Collectors.counting()));
        assertTrue(byWorker.keySet().containsAll(List.of("worker-a", "worker-b")), byWorker::toString);
        String leaderNow = leaderOf(cluster, 0, queue);
        assertFalse(leaderNow.contains(cluster.node(1).nodeName()), "the leader did not move: " + leaderNow);
        // New calls work, and worker a (reconnected to another node) serves again.
        assertEquals(49, proxy.square(7, 0).value());
      }
    }
  }

  @Test
  void replicatedQueuesAreRefusedClearlyOnABrokerWithoutThem() {
    try (EmbeddedBroker broker = EmbeddedBroker.start();
         Grid grid = Grid.builder().broker(broker.uri()).credentials(broker.username(), broker.password())
             .replicatedServiceQueues(true).workers(LocalWorkers.builder().count(1).slots(1).build()).build()) {
      PublishFailedException e = assertThrows(PublishFailedException.class, () -> grid.publish(new SlowSquarer()));
      assertTrue(e.getMessage().contains("replicated service queues need RabbitMQ quorum queues"), e.getMessage());
      // The connection survives the refusal: nothing with an x-argument was sent.
      assertEquals(1, grid.workers().size());
    }
  }

  private static Grid.Builder grid(RabbitMqCluster cluster, List<URI> nodes, int... order) {
    List<URI> preferred = new ArrayList<>();
    for (int i : order) {
      preferred.add(nodes.get(i));
    }
    return Grid.builder().brokers(preferred).credentials(cluster.username(), cluster.password())
        .callTimeout(Duration.ofMinutes(3));
  }

  private static LocalWorkers workers(String name) {
    return LocalWorkers.builder().count(1).slots(2).jvmOptions(List.of(
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dwarren.test.host=" + name)).build();
  }

  private static void awaitWorkers(Grid grid, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (grid.workers().size() < count && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(count, grid.workers().size(), grid.workers()::toString);
  }

  private static String leaderOf(RabbitMqCluster cluster, int node, String queue) {
    for (String line : cluster.rabbitmqctl(node, "list_queues", "name", "leader", "--no-table-headers").stdout().split("\n")) {
      if (line.startsWith(queue)) {
        return line;
      }
    }
    return "";
  }
}
