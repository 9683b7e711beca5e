package io.warren.farm;

import io.warren.testing.RabbitMqContainer;
import io.warren.testing.SshHostContainer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a farm suite runs against: SSH host containers, a RabbitMQ container, a known_hosts file
 * with the hosts' real keys, and the application jar to ship. Started in parallel; closing removes
 * every container.
 */
record FarmEnvironment(RabbitMqContainer broker, List<SshHostContainer> hosts, Path knownHosts, Path appJar)
    implements AutoCloseable {

  /** Starts one SSH host per address and a broker; files go under {@code dir}. */
  static FarmEnvironment start(Path dir, List<String> addresses) throws Exception {
    CompletableFuture<RabbitMqContainer> broker = CompletableFuture.supplyAsync(RabbitMqContainer::start);
    List<SshHostContainer> hosts;
    try {
      hosts = FarmFixture.startHosts(addresses);
    } catch (RuntimeException e) {
      broker.thenAccept(RabbitMqContainer::close);
      throw e;
    }
    try {
      return new FarmEnvironment(broker.join(), hosts, FarmFixture.knownHosts(dir, hosts),
          AppJar.build(dir.resolve("app/replicas.jar")));
    } catch (Exception e) {
      hosts.forEach(SshHostContainer::close);
      broker.thenAccept(RabbitMqContainer::close);
      throw e;
    }
  }

  @Override
  public void close() {
    hosts.forEach(SshHostContainer::close);
    broker.close();
  }
}
