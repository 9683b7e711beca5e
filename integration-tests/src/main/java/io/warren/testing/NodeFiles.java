package io.warren.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The private directory of one test RabbitMQ node: configuration, Erlang cookie, data and logs.
 *
 * <pre>{@code
 * NodeFiles files = NodeFiles.create("warren-1a2b@localhost");
 * files.writeConfig(List.of("listeners.tcp.default = 127.0.0.1:5999", "default_user = warren"));
 * ...
 * files.delete();
 * }</pre>
 *
 * <p>Nothing outside this directory is read or written by the node: the system-wide
 * {@code /etc/rabbitmq} files and {@code /var/lib/rabbitmq} are kept out through the environment
 * (see {@link #environment()}).
 */
final class NodeFiles {
  private final Path root;
  private final String nodeName;

  private NodeFiles(Path root, String nodeName) {
    this.root = root;
    this.nodeName = nodeName;
  }

  /** Creates an owner-only temporary directory for {@code nodeName}, with its subdirectories. */
  static NodeFiles create(String nodeName) {
    requireNonNull(nodeName, "nodeName == null");
    try {
      // Owner-only: it holds the Erlang cookie (which grants full control of the node) and the password.
      Path root = Files.createTempDirectory("warren-rabbitmq-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Files.createDirectories(root.resolve("mnesia"));
      Files.createDirectories(root.resolve("log"));
      return new NodeFiles(root, nodeName);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for RabbitMQ node " + nodeName, e);
    }
  }

  /** The directory itself. */
  Path root() {
    return root;
  }

  /** Where the node writes its main log. */
  Path nodeLog() {
    return root.resolve("log").resolve(nodeName + ".log");
  }

  /** Where the server script's standard output and error go. */
  Path consoleLog() {
    return root.resolve("log").resolve("console.log");
  }

  /** Writes {@code advanced.config} (Erlang terms). */
  void writeAdvancedConfig(String erlangTerms) throws IOException {
    Files.writeString(root.resolve("advanced.config"), erlangTerms + "\n", UTF_8);
  }

  /** Writes {@code rabbitmq.conf}, an empty plugin list and an empty {@code rabbitmq-env.conf}. */
  void writeConfig(List<String> confLines) throws IOException {
    Files.write(root.resolve("rabbitmq.conf"), confLines, UTF_8);
    // An Erlang list, not an empty file: "[]." means "no plugin enabled" to every 3.x version.
    Files.writeString(root.resolve("enabled_plugins"), "[].\n", UTF_8);
    // Replaces /etc/rabbitmq/rabbitmq-env.conf, which the scripts would otherwise source.
    Files.writeString(root.resolve("rabbitmq-env.conf"), "", UTF_8);
  }

  /**
   * Writes the Erlang cookie as {@code $HOME/.erlang.cookie} of this directory. Both the node and
   * rabbitmqctl run with {@code HOME} set here, so they share it; Erlang refuses a cookie file that
   * others can read, hence mode 0400.
   */
  void writeCookie(String cookie) throws IOException {
    Path file = root.resolve(".erlang.cookie");
    Files.writeString(file, cookie, UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
  }

  /**
   * The variables both the server and rabbitmqctl need: the cookie's {@code HOME}, the node name
   * and an empty {@code rabbitmq-env.conf}.
   */
  Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOME", root.toString());
    env.put("RABBITMQ_NODENAME", nodeName);
    env.put("RABBITMQ_CONF_ENV_FILE", root.resolve("rabbitmq-env.conf").toString());
    return env;
  }

  /** The variables only the server needs: every path of the node inside this directory. */
  Map<String, String> serverEnvironment() {
    Map<String, String> env = new LinkedHashMap<>(environment());
    env.put("RABBITMQ_MNESIA_BASE", root.resolve("mnesia").toString());
    env.put("RABBITMQ_LOG_BASE", root.resolve("log").toString());
    env.put("RABBITMQ_CONFIG_FILE", root.resolve("rabbitmq.conf").toString());
    // Only created on request (writeAdvancedConfig); either way /etc/rabbitmq/advanced.config stays out.
    env.put("RABBITMQ_ADVANCED_CONFIG_FILE", root.resolve("advanced.config").toString());
    env.put("RABBITMQ_ENABLED_PLUGINS_FILE", root.resolve("enabled_plugins").toString());
    env.put("RABBITMQ_PID_FILE", root.resolve("rabbitmq.pid").toString());
    return env;
  }

  /**
   * The first {@code head} and last {@code tail} lines of {@code file} (all of it when short), or a
   * note saying why there are none. Both ends matter: a node that cannot start says why in its
   * first lines (configuration errors) and how it died in its last.
   */
  static String excerpt(Path file, int head, int tail) {
    try {
      List<String> all = Files.readAllLines(file, UTF_8);
      if (all.size() <= head + tail) {
        return String.join("\n", all);
      }
      return String.join("\n", all.subList(0, head)) + "\n[... " + (all.size() - head - tail) + " lines ...]\n"
          + String.join("\n", all.subList(all.size() - tail, all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no " + file.getFileName() + ": " + e + ")";
    }
  }

  /** Deletes the directory and everything in it. */
  void delete() {
    if (!Files.exists(root)) {
      return;
    }
    TempTrees.delete(root);
  }
}
