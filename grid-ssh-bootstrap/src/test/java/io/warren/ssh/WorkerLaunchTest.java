package io.warren.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.spi.BrokerEndpoint;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remote commands, run through a real /bin/sh and a real java launcher where it matters. */
class WorkerLaunchTest {
  private static final List<String> NASTY = List.of("plain", "two words", "it's", "\"dq\"", "$HOME", "`id`", "a;b", "back\\slash", "*", "");
  private static final BrokerEndpoint BROKER = new BrokerEndpoint(URI.create("amqp://127.0.0.1:5672"), "user", "p'a$s w\"rd");

  @Test
  void shellQuotingSurvivesTheShellUnchanged() throws Exception {
    for (String value : NASTY) {
      assertEquals(value + "\n", sh("printf '%s\\n' " + ShellQuote.quote(value), new byte[0]), "for " + value);
    }
  }

  @Test
  void argfileTokensReachTheJvmUnchanged(@TempDir Path dir) throws Exception {
    StringBuilder argfile = new StringBuilder();
    for (String value : NASTY) {
      argfile.append(ShellQuote.argfileToken(value)).append('\n');
    }
    Path file = Files.writeString(dir.resolve("args"), "-cp\n" + ShellQuote.argfileToken(System.getProperty("java.class.path"))
        + "\n" + ShellQuote.argfileToken(PrintArgs.class.getName()) + "\n" + argfile);
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "@" + file).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    assertEquals(NASTY, List.of(out.split("\u0000", -1)).subList(0, NASTY.size()));
  }

  @Test
  void credentialsGoToAPrivateFileAndNeverIntoACommand(@TempDir Path home) throws Exception {
    HostSpec spec = HostSpec.builder("h").workDir(home.resolve("work").toString()).build();
    String command = WorkerLaunch.writePrivateFile(spec, WorkerLaunch.credentialsPath("w1"));
    assertFalse(command.contains(BROKER.password()));
    sh(command, WorkerLaunch.credentials(BROKER));
    Path file = home.resolve("work/run/w1.credentials");
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    Properties read = new Properties();
    read.load(new ByteArrayInputStream(Files.readAllBytes(file)));
    assertEquals(BROKER.password(), read.getProperty("password"));
    String argfile = WorkerLaunch.argfile(spec, "w1", 2, List.of("runtime/a.jar"), BROKER, Duration.ofSeconds(1), true, List.of());
    assertFalse(argfile.contains(BROKER.password()));
    assertTrue(argfile.contains("\"--credentials-file\"\n\"run/w1.credentials\""), argfile);
    assertTrue(argfile.contains("\"--exit-on-stdin-eof\""), argfile);
  }

  @Test
  void startRunsInitSetsTheEnvironmentAndRecordsThePid(@TempDir Path home) throws Exception {
    Path fakeJava = Files.writeString(home.resolve("fake java"), "#!/bin/sh\necho \"args=$*\"; echo \"v=$MY_VAR\"; echo \"init=$INIT_DONE\"\n");
    fakeJava.toFile().setExecutable(true);
    HostSpec spec = HostSpec.builder("h").workDir(home.resolve("w d").toString()).javaCommand(fakeJava.toString())
        .init("export INIT_DONE=yes").environment(Map.of("MY_VAR", "a 'b' $c")).nice(3).build();
    sh(WorkerLaunch.start(spec, "w1", true), new byte[0]);
    String log = Files.readString(home.resolve("w d/logs/w1.log"));
    assertTrue(log.contains("args=@run/w1.args"), log);
    assertTrue(log.contains("v=a 'b' $c"), log);
    assertTrue(log.contains("init=yes"), log);
    assertTrue(Files.readString(home.resolve("w d/run/w1.pid")).strip().matches("\\d+"));
  }

  @Test
  void probeReportsCpusAndJavaStatus(@TempDir Path home) throws Exception {
    HostSpec spec = HostSpec.builder("h").workDir(home.toString()).javaCommand("no-such-java-here").build();
    String out = sh(WorkerLaunch.probe(spec), new byte[0]);
    assertTrue(out.contains("warren-cpus=" + Runtime.getRuntime().availableProcessors()), out);
    assertTrue(out.contains("warren-java-exit=127"), out);
  }

  @Test
  void stopAllTerminatesEveryDetachedWorkerAndRemovesItsFiles(@TempDir Path home) throws Exception {
    HostSpec spec = HostSpec.builder("h").workDir(home.toString()).build();
    Path fakeJava = Files.writeString(home.resolve("java"), "#!/bin/sh\nexec sleep 60\n");
    fakeJava.toFile().setExecutable(true);
    HostSpec running = spec.toBuilder().javaCommand(fakeJava.toString()).build();
    sh(WorkerLaunch.writePrivateFile(running, WorkerLaunch.credentialsPath("w1")), WorkerLaunch.credentials(BROKER));
    sh(WorkerLaunch.start(running, "w1", false), new byte[0]);
    sh(WorkerLaunch.start(running, "w2", false), new byte[0]);
    long pid = Long.parseLong(Files.readString(home.resolve("run/w1.pid")).strip());
    assertEquals(0, new ProcessBuilder("/bin/sh", "-c", WorkerLaunch.alive(running, "w1")).start().waitFor());
    String out = sh(WorkerLaunch.stopAll(spec, Duration.ofSeconds(5)), new byte[0]);
    assertTrue(out.contains("stopped w1") && out.contains("stopped w2"), out);
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "w1 still runs");
    assertFalse(Files.exists(home.resolve("run/w1.credentials")));
    assertFalse(Files.exists(home.resolve("run/w1.pid")));
  }

  private static String sh(String command, byte[] stdin) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().write(stdin);
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }

  /** Prints its arguments NUL-separated, for the argfile test. */
  public static final class PrintArgs {
    public static void main(String[] args) {
      System.out.print(String.join("\u0000", args) + "\u0000");
    }
  }
}
