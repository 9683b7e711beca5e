package io.warren.ssh;

import io.warren.grid.spi.BrokerEndpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The remote side of starting one worker, as text: its java argument file, its credentials file and
 * the shell commands that probe the host and start the JVM. Pure functions, so the quoting is
 * tested without a host.
 *
 * <p>Files per worker under the work dir: {@code run/<id>.args} (JVM options, class path, main class
 * and worker options — the java launcher reads it, so no command-line length limit and no shell
 * quoting), {@code run/<id>.credentials} (mode 600: the broker password never appears in a command
 * line), {@code run/<id>.app} (links to the worker's shipped application files), {@code run/<id>.pid} and
 * {@code logs/<id>.log}.
 */
final class WorkerLaunch {
  static final int EXIT_NO_WORK_DIR = 90;

  private WorkerLaunch() {}

  /** How the ids of the workers farms start on {@code host} begin: ssh-NAME-, then the farm's id. */
  static String workerIdPrefix(HostSpec host) {
    // No dots: heartbeats are routed by "worker.<id>" and a topic binding "*" matches one word.
    return "ssh-" + host.name().replaceAll("[^A-Za-z0-9_-]", "_") + "-";
  }

  static String argfilePath(String workerId) {
    return RemotePaths.RUN + "/" + workerId + ".args";
  }

  static String credentialsPath(String workerId) {
    return RemotePaths.RUN + "/" + workerId + ".credentials";
  }

  static String pidPath(String workerId) {
    return RemotePaths.RUN + "/" + workerId + ".pid";
  }

  /** The worker's view of the application: links to exactly the files its shipment holds. */
  static String appViewPath(String workerId) {
    return RemotePaths.RUN + "/" + workerId + ".app";
  }

  static String logPath(String workerId) {
    return RemotePaths.LOGS + "/" + workerId + ".log";
  }

  /** The worker JVM's argument file: one quoted token per line. */
  static String argfile(HostSpec spec, String workerId, int slots, List<String> classPath, BrokerEndpoint broker,
      Duration heartbeat, boolean attached, List<String> workerArguments) {
    List<String> args = new ArrayList<>(spec.jvmOptions());
    args.add("-cp");
    args.add(String.join(":", classPath));
    args.add(WorkerRuntimeFiles.MAIN_CLASS);
    args.addAll(List.of(
        "--broker", broker.uriList(),
        "--worker-id", workerId,
        "--slots", Integer.toString(slots),
        "--heartbeat-millis", Long.toString(heartbeat.toMillis()),
        "--credentials-file", credentialsPath(workerId)));
    if (attached) {
      args.add("--exit-on-stdin-eof"); // the SSH session is the worker's lifeline to its client
    }
    args.addAll(workerArguments);
    StringBuilder text = new StringBuilder();
    for (String arg : args) {
      text.append(ShellQuote.argfileToken(arg)).append('\n');
    }
    return text.toString();
  }

  /** Runs the script on stdin with sh in the work dir: no command-line length limit. */
  static String runScript(HostSpec spec) {
    return cdWorkDir(spec) + " && exec sh -s";
  }

  /**
   * A script for {@link #runScript} that makes the worker's {@link #appViewPath} a tree of relative
   * symbolic links to exactly {@code appFiles} (paths under {@code app/}). The worker's class path
   * names this tree, not {@code app/}: a file that left the shipment stays in {@code app/} (another
   * farm sharing the work dir may still use it) but this worker never sees it. The links follow
   * {@code app/} by name, so a file shipped again is seen with its new content.
   */
  static String appView(String workerId, List<String> appFiles) {
    String view = appViewPath(workerId);
    Map<String, List<String>> byDir = new java.util.TreeMap<>();
    for (String file : appFiles) {
      int slash = file.lastIndexOf('/');
      byDir.computeIfAbsent(slash < 0 ? "" : file.substring(0, slash), d -> new ArrayList<>()).add(file);
    }
    StringBuilder script = new StringBuilder("set -e\nrm -rf -- ").append(ShellQuote.quote(view))
        .append("\nmkdir -p -- ").append(ShellQuote.quote(view)).append('\n');
    for (Map.Entry<String, List<String>> dir : byDir.entrySet()) {
      String linkDir = dir.getKey().isEmpty() ? view : view + "/" + dir.getKey();
      // From the link's directory up to the work dir: run/<id>.app and its depth under it.
      String up = "../../" + "../".repeat(dir.getKey().isEmpty() ? 0 : dir.getKey().split("/").length);
      script.append("mkdir -p -- ").append(ShellQuote.quote(linkDir)).append('\n');
      List<String> files = dir.getValue();
      for (int from = 0; from < files.size(); from += 100) { // a bounded argument list per ln
        script.append("ln -s --");
        for (String file : files.subList(from, Math.min(files.size(), from + 100))) {
          script.append(' ').append(ShellQuote.quote(up + RemotePaths.APP + "/" + file));
        }
        script.append(' ').append(ShellQuote.quote(linkDir + "/")).append('\n');
      }
    }
    return script.toString();
  }

  /** The credentials file's content, in the format {@code WorkerOptions} reads. */
  static byte[] credentials(BrokerEndpoint broker) {
    Properties properties = new Properties();
    properties.setProperty("username", broker.username());
    properties.setProperty("password", broker.password());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      properties.store(out, "Warren broker credentials: keep mode 600");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Writes stdin to {@code path} under the work dir, readable by its owner only. */
  static String writePrivateFile(HostSpec spec, String path) {
    return cdWorkDir(spec) + " && mkdir -p run logs && umask 077 && cat > " + ShellQuote.quote(path)
        + " && chmod 600 " + ShellQuote.quote(path);
  }

  /**
   * Runs the host's init commands, then prints the CPU count and the output and status of
   * {@code java -version}, each on a marked line.
   */
  static String probe(HostSpec spec) {
    return prelude(spec) + "echo warren-cpus=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN); "
        + ShellQuote.path(spec.javaCommand()) + " -version 2>&1; echo warren-java-exit=$?";
  }

  /**
   * Starts the worker. Attached: the command becomes the JVM ({@code exec}) and keeps the session's
   * stdin, so the worker drains when the client goes away. Detached: it is started with nohup in the
   * background, stdin from /dev/null, and outlives the session.
   */
  static String start(HostSpec spec, String workerId, boolean attached) {
    List<String> jvm = new ArrayList<>();
    if (spec.nice() != 0) {
      jvm.addAll(List.of("nice", "-n", Integer.toString(spec.nice())));
    }
    String wrapper = spec.wrapper() == null || spec.wrapper().isBlank() ? "" : spec.wrapper().strip() + " ";
    String java = ShellQuote.join(jvm) + (jvm.isEmpty() ? "" : " ") + wrapper + ShellQuote.path(spec.javaCommand())
        + " @" + ShellQuote.quote(argfilePath(workerId));
    String log = ShellQuote.quote(logPath(workerId));
    String pid = ShellQuote.quote(pidPath(workerId));
    // Its own statement: "a && b &" would background a subshell that keeps the session's pipes open.
    String dirs = "mkdir -p " + RemotePaths.RUN + " " + RemotePaths.LOGS + " || exit " + EXIT_NO_WORK_DIR + "; ";
    if (attached) {
      return prelude(spec) + dirs + "echo $$ > " + pid + " && exec " + java + " >> " + log + " 2>&1";
    }
    return prelude(spec) + dirs + "nohup " + java + " >> " + log + " 2>&1 < /dev/null & echo $! > " + pid;
  }

  /** The last {@code lines} lines of the worker's log, or nothing. */
  static String logTail(HostSpec spec, String workerId, int lines) {
    return cdWorkDir(spec) + " && tail -n " + lines + " " + ShellQuote.quote(logPath(workerId)) + " 2>/dev/null; exit 0";
  }

  /**
   * Kills the worker with {@code signal} if its pid file names a live process that is this worker;
   * prints "gone" when none is left.
   */
  static String kill(HostSpec spec, String workerId, String signal) {
    String pid = ShellQuote.quote(pidPath(workerId));
    String id = ShellQuote.quote(workerId);
    return cdWorkDir(spec) + " && " + OURS + "if [ -f " + pid + " ]; then p=$(cat " + pid + "); if ours \"$p\" " + id
        + "; then kill -" + signal + " \"$p\" 2>/dev/null; sleep 0.2; ours \"$p\" " + id
        + " || echo gone; else echo gone; fi; else echo gone; fi";
  }

  /**
   * Stops every worker of this host with a pid file in the work dir: TERM to all, up to {@code grace}
   * for them to drain, then KILL; their run files are removed. Prints one line per worker. Pid files
   * of other hosts sharing the dir are left alone, and a pid that is no longer this worker's (the
   * process ended and the number was reused) is never signalled.
   */
  static String stopAll(HostSpec spec, Duration grace) {
    long tenths = Math.max(1, grace.toMillis() / 100);
    String prefix = workerIdPrefix(spec); // [A-Za-z0-9_-] only: safe unquoted, in a glob and in ${id#...}
    return cdWorkDir(spec) + "; [ -d run ] || exit 0; " + OURS + "ids=; for f in run/" + prefix + "*.pid; do "
        + "[ -f \"$f\" ] || continue; id=${f#run/}; id=${id%.pid}; "
        + "case ${id#" + prefix + "} in ''|*[!A-Za-z0-9_]*) continue;; esac; ids=\"$ids $id\"; done; "
        + "for id in $ids; do p=$(cat \"run/$id.pid\"); ours \"$p\" $id && kill -TERM \"$p\" 2>/dev/null; done; "
        + "i=0; while [ $i -lt " + tenths + " ]; do alive=0; "
        + "for id in $ids; do ours \"$(cat \"run/$id.pid\")\" $id && alive=1; done; "
        + "[ $alive = 0 ] && break; sleep 0.1; i=$((i+1)); done; "
        + "for id in $ids; do p=$(cat \"run/$id.pid\"); "
        + "if ours \"$p\" $id; then kill -KILL \"$p\"; echo \"killed $id\"; else echo \"stopped $id\"; fi; "
        + "rm -rf \"run/$id.pid\" \"run/$id.credentials\" \"run/$id.args\" \"run/$id.app\"; done";
  }

  /** Deletes the host's work dir and everything in it. */
  static String removeWorkDir(HostSpec spec) {
    return "rm -rf -- " + ShellQuote.quote(RemotePaths.workDir(spec));
  }

  /**
   * Exits 0 when the process its pid file names is alive and is this worker: a pid reused by another
   * process once the worker has ended counts as ended, as for {@link #kill} and {@link #stopAll}.
   */
  static String alive(HostSpec spec, String workerId) {
    return cdWorkDir(spec) + " && " + OURS + "ours \"$(cat " + ShellQuote.quote(pidPath(workerId)) + " 2>/dev/null)\" "
        + ShellQuote.quote(workerId);
  }

  /** Removes the worker's credentials, pid and argument files and its view of the application. */
  static String cleanUp(HostSpec spec, String workerId) {
    return cdWorkDir(spec) + " && rm -rf " + ShellQuote.quote(credentialsPath(workerId)) + " "
        + ShellQuote.quote(pidPath(workerId)) + " " + ShellQuote.quote(argfilePath(workerId)) + " "
        + ShellQuote.quote(appViewPath(workerId));
  }

  /**
   * A shell function: whether pid $1 is worker $2, i.e. its command line holds the worker's argfile.
   * A pid file can outlive its process, and on a shared work dir it names a process of another host.
   * The command line comes from /proc where there is one (minimal hosts may have no {@code ps}: a
   * worker would then never count as this host's, and never be stopped), else from {@code ps}.
   */
  private static final String OURS = "ours() { { tr '\\0' ' ' < \"/proc/$1/cmdline\" || ps -o args= -p \"$1\"; } 2>/dev/null"
      + " | grep -qF -- \"@" + RemotePaths.RUN + "/$2.args\"; }; ";

  private static String cdWorkDir(HostSpec spec) {
    String dir = ShellQuote.quote(RemotePaths.workDir(spec));
    return "{ mkdir -p -- " + dir + " && cd -- " + dir + "; } 2>/dev/null || exit " + EXIT_NO_WORK_DIR;
  }

  /** cd to the work dir, the user's init commands, the extra environment. */
  private static String prelude(HostSpec spec) {
    StringBuilder text = new StringBuilder(cdWorkDir(spec)).append("; ");
    if (spec.init() != null && !spec.init().isBlank()) {
      // The user's own shell text, run as written: that is what an init command is for.
      text.append(spec.init().strip()).append("; ");
    }
    for (Map.Entry<String, String> var : new java.util.TreeMap<>(spec.environment()).entrySet()) {
      text.append("export ").append(var.getKey()).append('=').append(ShellQuote.quote(var.getValue())).append("; ");
    }
    return text.toString();
  }
}
