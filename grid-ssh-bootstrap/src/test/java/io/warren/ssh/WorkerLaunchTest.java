package io.warren.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.spi.BrokerEndpoint;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
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
  void aJavaUnderTheLoginHomeIsFoundByProbeAndStart(@TempDir Path home) throws Exception {
    Path fakeJava = home.resolve("my jdk/bin/java");
    Files.createDirectories(fakeJava.getParent());
    Files.writeString(fakeJava, "#!/bin/sh\necho \"home java $*\"\n").toFile().setExecutable(true);
    // The work dir is elsewhere: java is run from there, where a literal ~/ would be looked for.
    HostSpec spec = HostSpec.builder("h").workDir(home.resolve("work").toString()).javaCommand("~/my jdk/bin/java").build();
    Map<String, String> login = Map.of("HOME", home.toString());

    String probe = sh(WorkerLaunch.probe(spec), new byte[0], login);
    sh(WorkerLaunch.start(spec, "w1", true), new byte[0], login);

    assertTrue(probe.contains("home java -version\nwarren-java-exit=0"), probe);
    assertEquals("home java @run/w1.args\n", Files.readString(home.resolve("work/logs/w1.log")));
  }

  @Test
  void theAppViewLinksExactlyTheShippedFilesWhateverTheirNames(@TempDir Path home) throws Exception {
    HostSpec spec = HostSpec.builder("h").workDir(home.toString()).build();
    List<String> shipped = List.of("app.jar", "-dash", "it's here.txt", "a b/c$d.properties", "META-INF/services/x.Y");
    for (String file : shipped) {
      Files.createDirectories(home.resolve("app").resolve(file).getParent());
      Files.writeString(home.resolve("app").resolve(file), "content of " + file);
    }
    Files.writeString(home.resolve("app/a b/stale.properties"), "left over");

    assertEquals("", sh(WorkerLaunch.runScript(spec), WorkerLaunch.appView("w1", shipped).getBytes(StandardCharsets.UTF_8)));

    Path view = home.resolve("run/w1.app");
    for (String file : shipped) {
      assertEquals("content of " + file, Files.readString(view.resolve(file)), file);
    }
    assertFalse(Files.exists(view.resolve("a b/stale.properties")));
    sh(WorkerLaunch.cleanUp(spec, "w1"), new byte[0]);
    assertFalse(Files.exists(view, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.exists(home.resolve("app/a b/c$d.properties")), "cleaning up removed a shipped file");
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
    // Not exec'd: the process keeps java's command line (@run/<id>.args), by which stopAll knows its workers.
    Path fakeJava = Files.writeString(home.resolve("java"), "#!/bin/sh\ntrap 'kill $!; exit 0' TERM\nsleep 60 & wait\n");
    fakeJava.toFile().setExecutable(true);
    HostSpec running = spec.toBuilder().javaCommand(fakeJava.toString()).build();
    sh(WorkerLaunch.writePrivateFile(running, WorkerLaunch.credentialsPath("ssh-h-aaa111")), WorkerLaunch.credentials(BROKER));
    sh(WorkerLaunch.start(running, "ssh-h-aaa111", false), new byte[0]);
    sh(WorkerLaunch.start(running, "ssh-h-bbb222", false), new byte[0]);
    long pid = Long.parseLong(Files.readString(home.resolve("run/ssh-h-aaa111.pid")).strip());
    assertEquals(0, new ProcessBuilder("/bin/sh", "-c", WorkerLaunch.alive(running, "ssh-h-aaa111")).start().waitFor());
    String out = sh(WorkerLaunch.stopAll(spec, Duration.ofSeconds(5)), new byte[0]);
    assertTrue(out.contains("stopped ssh-h-aaa111") && out.contains("stopped ssh-h-bbb222"), out);
    assertFalse(running(pid), "ssh-h-aaa111 still runs");
    assertFalse(Files.exists(home.resolve("run/ssh-h-aaa111.credentials")));
    assertFalse(Files.exists(home.resolve("run/ssh-h-aaa111.pid")));
  }

  @Test
  void aHostWithoutPsStillKnowsAndStopsItsWorkers(@TempDir Path home) throws Exception {
    // Minimal hosts may lack ps: the workers' command lines are read from /proc there.
    Path bin = Files.createDirectories(home.resolve("bin-without-ps"));
    for (String tool : List.of("mkdir", "cat", "tr", "grep", "sleep", "rm")) {
      Files.createSymbolicLink(bin.resolve(tool), Path.of(sh("command -v " + tool, new byte[0]).strip()));
    }
    Map<String, String> noPs = Map.of("PATH", bin.toString());
    HostSpec spec = HostSpec.builder("h").workDir(home.resolve("work").toString()).build();
    Path fakeJava = Files.writeString(home.resolve("java"), "#!/bin/sh\ntrap 'kill $!; exit 0' TERM\nsleep 60 & wait\n");
    fakeJava.toFile().setExecutable(true);
    HostSpec running = spec.toBuilder().javaCommand(fakeJava.toString()).build();
    sh(WorkerLaunch.start(running, "ssh-h-eee555", false), new byte[0]);
    long pid = Long.parseLong(Files.readString(home.resolve("work/run/ssh-h-eee555.pid")).strip());
    assertEquals("no ps", sh("command -v ps >/dev/null || echo no ps", new byte[0], noPs).strip(), "the PATH hides ps");
    assertEquals("alive", sh(WorkerLaunch.alive(running, "ssh-h-eee555") + " && echo alive", new byte[0], noPs).strip(),
        "without ps, the worker is still found alive and this host's");
    assertEquals("stopped ssh-h-eee555\n", sh(WorkerLaunch.stopAll(spec, Duration.ofSeconds(5)), new byte[0], noPs));
    assertFalse(running(pid), "the worker still runs: stopAll did not signal it");
  }

  @Test
  void stoppingNeverSignalsAProcessThatIsNotThisHostsWorker(@TempDir Path home) throws Exception {
    HostSpec spec = HostSpec.builder("h").workDir(home.toString()).build();
    // Host "other" shares the work dir: its worker's pid means an unrelated process here.
    Process unrelated = new ProcessBuilder("sleep", "60").start();
    // This host's worker is gone and its pid was reused by an unrelated process.
    Process reused = new ProcessBuilder("sleep", "60").start();
    try {
      Files.createDirectories(home.resolve("run"));
      Path otherPid = Files.writeString(home.resolve("run/ssh-other-ccc333.pid"), unrelated.pid() + "\n");
      Path otherCredentials = Files.writeString(home.resolve("run/ssh-other-ccc333.credentials"), "password=x\n");
      Files.writeString(home.resolve("run/ssh-h-ddd444.pid"), reused.pid() + "\n");

      assertEquals(1, new ProcessBuilder("/bin/sh", "-c", WorkerLaunch.alive(spec, "ssh-h-ddd444")).start().waitFor(),
          "a reused pid counts as the worker still running");
      assertEquals("gone\n", sh(WorkerLaunch.kill(spec, "ssh-h-ddd444", "KILL"), new byte[0]));
      assertTrue(reused.isAlive(), "kill signalled an unrelated process");
      String out = sh(WorkerLaunch.stopAll(spec, Duration.ofMillis(100)), new byte[0]);

      assertEquals("stopped ssh-h-ddd444\n", out);
      assertTrue(reused.isAlive(), "stopAll signalled an unrelated process");
      assertTrue(unrelated.isAlive(), "stopAll signalled another host's pid");
      assertEquals(unrelated.pid() + "\n", Files.readString(otherPid));
      assertEquals("password=x\n", Files.readString(otherCredentials));
    } finally {
      unrelated.destroyForcibly();
      reused.destroyForcibly();
    }
  }

  private static String sh(String command, byte[] stdin) throws Exception {
    return sh(command, stdin, Map.of());
  }

  private static String sh(String command, byte[] stdin, Map<String, String> environment) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    Process p = builder.start();
    p.getOutputStream().write(stdin);
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }

  /**
   * Whether the process runs. A zombie has ended: the detached worker's parent is whatever adopted
   * it, which may collect it later.
   */
  private static boolean running(long pid) throws IOException {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat")); // "pid (name) STATE ..."
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /** Prints its arguments NUL-separated, for the argfile test. */
  public static final class PrintArgs {
    public static void main(String[] args) {
      System.out.print(String.join("\u0000", args) + "\u0000");
    }
  }
}
