package io.warren.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.spi.BrokerEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerOptionsTest {
  @TempDir Path dir;

  @Test
  void parsesACommandLine() {
    WorkerOptions options = WorkerOptions.parse(new String[] {
        "--broker", "amqp://127.0.0.1:5672", "--worker-id", "w-1", "--slots", "3", "--heartbeat-millis", "250"});
    assertEquals("w-1", options.workerId());
    assertEquals(3, options.slots());
    assertEquals(Duration.ofMillis(250), options.heartbeatInterval());
    assertFalse(options.exitOnStdinEof());
  }

  @Test
  void refusesCredentialsOnTheCommandLine() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WorkerOptions.parse(new String[] {
        "--broker", "amqp://user:secret@127.0.0.1:5672", "--worker-id", "w"}));
    assertFalse(e.getMessage().contains("secret"), "the error does not repeat the password");
  }

  @Test
  void badOptionsAreNamed() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> WorkerOptions.parse(new String[] {"--broker"}))
        .getMessage().contains("--broker needs a value"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> WorkerOptions.parse(new String[] {
        "--broker", "amqp://h", "--worker-id", "w", "--slots", "many"})).getMessage().contains("--slots"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> WorkerOptions.parse(new String[] {"--frobnicate"}))
        .getMessage().contains("--frobnicate"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> WorkerOptions.parse(new String[] {
        "--broker", "amqp://h", "--worker-id", "no spaces"})).getMessage().contains("--worker-id"));
  }

  @Test
  void aMessageLimitTheBrokerConnectionCouldNotReceiveIsRefused() {
    String tooLarge = Integer.toString(512 * 1024 * 1024 + 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WorkerOptions.parse(new String[] {
        "--broker", "amqp://h", "--worker-id", "w", "--max-message-bytes", tooLarge}));
    assertTrue(e.getMessage().startsWith("--max-message-bytes must be <= 536870912"), e.getMessage());
    assertEquals(512 * 1024 * 1024, WorkerOptions.parse(new String[] {
        "--broker", "amqp://h", "--worker-id", "w", "--max-message-bytes", "536870912"}).maxMessageBytes());
  }

  @Test
  void credentialsComeFromTheEnvironment() throws Exception {
    WorkerOptions options = WorkerOptions.parse(new String[] {"--broker", "amqp://h:1", "--worker-id", "w"});
    BrokerEndpoint endpoint = options.endpoint(Map.of(WorkerOptions.USERNAME_ENV, "grid", WorkerOptions.PASSWORD_ENV, "pw"));
    assertEquals("grid", endpoint.username());
    assertEquals("pw", endpoint.password());
    assertFalse(endpoint.toString().contains("pw"));
    assertThrows(IllegalArgumentException.class, () -> options.endpoint(Map.of()));
  }

  @Test
  void aClusterIsACommaSeparatedBrokerList() throws Exception {
    WorkerOptions options = WorkerOptions.parse(new String[] {"--broker", "amqp://n1:1,amqp://n2:2", "--worker-id", "w"});
    BrokerEndpoint endpoint = options.endpoint(Map.of(WorkerOptions.USERNAME_ENV, "grid", WorkerOptions.PASSWORD_ENV, "pw"));
    assertEquals("amqp://n1:1,amqp://n2:2", endpoint.uriList());
    assertThrows(IllegalArgumentException.class, () -> WorkerOptions.parse(new String[] {
        "--broker", "amqp://n1:1,amqp://u:secret@n2:2", "--worker-id", "w"}));
  }

  @Test
  void negativeDrainGraceAndReconnectPeriodAreRefused() {
    for (String option : new String[] {"--drain-grace-millis", "--reconnect-for-millis"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WorkerOptions.parse(new String[] {
          "--broker", "amqp://h", "--worker-id", "w", option, "-1"}));
      assertEquals(option + " must be >= 0, was -1", e.getMessage());
    }
    WorkerOptions zero = WorkerOptions.parse(new String[] {
        "--broker", "amqp://h", "--worker-id", "w", "--drain-grace-millis", "0", "--reconnect-for-millis", "0"});
    assertEquals(Duration.ZERO, zero.drainGrace());
    assertEquals(Duration.ZERO, zero.reconnectFor());
  }

  @Test
  void aMissingCredentialsFileIsABadOptionNamingTheFile() {
    Path missing = dir.resolve("no-such.properties");
    WorkerOptions options = WorkerOptions.parse(new String[] {
        "--broker", "amqp://h:1", "--worker-id", "w", "--credentials-file", missing.toString()});
    // IllegalArgumentException is WorkerMain's exit 2 (bad options); an IOException was its exit 3 (broker unreachable).
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> options.endpoint(Map.of()));
    assertEquals("--credentials-file " + missing + " does not exist", e.getMessage());
  }

  @Test
  void credentialsFileMustBePrivate() throws Exception {
    Path file = dir.resolve("broker.properties");
    Files.writeString(file, "username=grid\npassword=pw\n");
    WorkerOptions options = WorkerOptions.parse(new String[] {
        "--broker", "amqp://h:1", "--worker-id", "w", "--credentials-file", file.toString()});
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> options.endpoint(Map.of()))
        .getMessage().contains("chmod 600"));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertEquals("pw", options.endpoint(Map.of()).password());
  }
}
