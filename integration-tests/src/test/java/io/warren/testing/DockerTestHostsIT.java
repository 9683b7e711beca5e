package io.warren.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.exception.NotFoundException;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker test hosts are real: the machine's own {@code ssh} verifies their host keys and logs
 * in with their keys, and amqp-client logs in to the containerised broker with its user.
 */
class DockerTestHostsIT {
  private static final Duration SSH_LIMIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void sshClientVerifiesHostKeyAndLogsInWithTheKey() throws Exception {
    long t0 = System.nanoTime();
    try (SshHostContainer first = SshHostContainer.start("127.0.1.11")) {
      long t1 = System.nanoTime();
      try (SshHostContainer second = SshHostContainer.builder()
          .address("127.0.1.12").passphrase("correct horse").start()) {
        long t2 = System.nanoTime();
        System.out.printf("[timing] SSH host start: %d ms, %d ms%n", millis(t0, t1), millis(t1, t2));

        ExecResult java = ssh(first, first.knownHostsLine(), "java", "-version");
        assertTrue(java.succeeded(), java::toString);
        assertTrue(java.stderr().contains("openjdk version \"17"), java::toString);

        ExecResult user = ssh(second, second.knownHostsLine(), "id", "-un");
        assertTrue(user.succeeded(), user::toString);
        assertEquals("warren", user.stdout().strip());

        ExecResult root = first.exec("id", "-un");
        assertEquals(new ExecResult(0, "root\n", ""), root);
      }
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void sshClientRefusesAHostWhoseKeyIsNotTheKnownOne() throws Exception {
    try (SshHostContainer first = SshHostContainer.start("127.0.1.11");
        SshHostContainer second = SshHostContainer.start("127.0.1.12")) {
      // The second host's key, listed under the first host's name: a host pretending to be another.
      String wrongLine = first.knownHostsLine().split(" ")[0] + " "
          + second.knownHostsLine().split(" ", 2)[1];
      assertNotEquals(first.knownHostsLine(), wrongLine);

      ExecResult refused = ssh(first, wrongLine, "true");

      assertEquals(255, refused.exitCode(), refused::toString);
      assertTrue(refused.stderr().contains("Host key verification failed"), refused::toString);
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void killedHostRefusesConnectionsAndCloseRemovesIt() throws Exception {
    SshHostContainer host = SshHostContainer.start("127.0.1.13");
    String id = host.containerId();
    try {
      assertTrue(ssh(host, host.knownHostsLine(), "true").succeeded());

      host.kill();

      ExecResult afterKill = ssh(host, host.knownHostsLine(), "true");
      assertEquals(255, afterKill.exitCode(), afterKill::toString);
      assertTrue(afterKill.stderr().contains("Connection refused"), afterKill::toString);
    } finally {
      host.close();
    }
    assertThrows(NotFoundException.class, () -> TestImages.docker().inspectContainerCmd(id).exec());
    assertFalse(Files.exists(host.identityFile()), "key files deleted");
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void brokerAcceptsItsUserOnlyAndListsQueues() throws Exception {
    long t0 = System.nanoTime();
    String id;
    try (RabbitMqContainer rabbit = RabbitMqContainer.start()) {
      System.out.printf("[timing] RabbitMQ container start (with user): %d ms%n", millis(t0, System.nanoTime()));
      id = rabbit.containerId();
      String uri = rabbit.uri().toString();
      assertTrue(uri.matches("amqp://127\\.0\\.0\\.1:\\d+"), uri);
      String queue = "warren-probe-" + UUID.randomUUID();

      try (Connection connection = connect(rabbit, rabbit.username(), rabbit.password());
          Channel channel = connection.createChannel()) {
        channel.queueDeclare(queue, true, false, false, null);
        assertTrue(rabbit.queueNames().contains(queue), () -> rabbit.queueNames().toString());
        channel.queueDelete(queue);
      }
      assertFalse(rabbit.queueNames().contains(queue));

      assertThrows(AuthenticationFailureException.class,
          () -> connect(rabbit, rabbit.username(), "not-" + rabbit.password()).close());
      assertThrows(AuthenticationFailureException.class, () -> connect(rabbit, "guest", "guest").close());
    }
    assertThrows(NotFoundException.class, () -> TestImages.docker().inspectContainerCmd(id).exec());
  }

  /** Runs {@code command} on {@code host} with the system ssh client, trusting only {@code knownHostsLine}. */
  private ExecResult ssh(SshHostContainer host, String knownHostsLine, String... command) throws Exception {
    Path knownHosts = Files.createTempFile(dir, "known_hosts", "");
    Files.writeString(knownHosts, knownHostsLine + "\n", UTF_8);
    List<String> ssh = new ArrayList<>(List.of("ssh", "-F", "/dev/null",
        "-p", Integer.toString(host.port()),
        "-i", host.identityFile().toString(),
        "-o", "IdentitiesOnly=yes",
        "-o", "StrictHostKeyChecking=yes",
        "-o", "UserKnownHostsFile=" + knownHosts,
        "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", "ConnectTimeout=10",
        host.user() + "@" + host.address()));
    ssh.addAll(List.of(command));
    // A passphrase reaches ssh only through an askpass program (there is no terminal here).
    Path askpass = dir.resolve("askpass");
    Files.writeString(askpass, "#!/bin/sh\necho '" + host.passphrase().orElse("") + "'\n", UTF_8);
    Files.setPosixFilePermissions(askpass, PosixFilePermissions.fromString("rwx------"));
    Map<String, String> env = host.passphrase().isPresent()
        ? Map.of("SSH_ASKPASS", askpass.toString(), "SSH_ASKPASS_REQUIRE", "force", "DISPLAY", ":0")
        : Map.of("SSH_ASKPASS_REQUIRE", "never");
    if (host.passphrase().isEmpty()) {
      ssh.add(1, "-o");
      ssh.add(2, "BatchMode=yes");
    }
    return Exec.run(ssh, env, dir, SSH_LIMIT);
  }

  private static Connection connect(RabbitMqContainer rabbit, String user, String password) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(rabbit.uri());
    factory.setUsername(user);
    factory.setPassword(password);
    factory.setConnectionTimeout(5_000);
    factory.setAutomaticRecoveryEnabled(false);
    return factory.newConnection("docker-test-hosts-it");
  }

  private static long millis(long fromNanos, long toNanos) {
    return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
  }
}
