package io.warren.ssh;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The hosts of a farm, written by hand in YAML. Every host key may also stand under
 * {@code defaults}, which applies to each host that does not set it.
 *
 * <pre>{@code
 * minHosts: 2                      # start when at least 2 hosts came up (default: all of them)
 * defaults:
 *   user: warren
 *   identityFile: ~/.ssh/id_ed25519
 *   passphraseEnv: WARREN_SSH_PASSPHRASE   # the key's passphrase comes from this variable
 *   knownHosts: ~/.ssh/known_hosts
 *   workDir: /scratch/warren       # relative paths are under the login home
 *   java: /usr/lib/jvm/java-17-openjdk-amd64/bin/java
 *   jvmOptions: [-Xmx2g]
 *   nice: 10
 * hosts:
 *   - node1                        # just a name (or an alias from ~/.ssh/config)
 *   - host: node2.lab
 *     port: 2222
 *     slots: 16
 *     env: {OMP_NUM_THREADS: "1"}
 * }</pre>
 *
 * Host keys: {@code host, name, port, user, identityFile, passphraseEnv, knownHosts,
 * hostKeyChecking (strict | accept-any-insecure), workDir, sharedWorkDir, java, jvmOptions, slots,
 * nice, init, wrapper, env}; see {@link HostSpec} for what each means. Relative local paths are
 * resolved against the inventory file's directory and {@code ~/} against the user's home; in the
 * remote paths ({@code workDir}, {@code java}) a leading {@code ~/} is the login home on the host. An
 * unknown key is an error, so a typo never silently falls back to a default.
 *
 * @param hosts the hosts, in file order
 * @param minHosts how many hosts must come up for the farm to start; equal to the host count unless set
 */
public record HostInventory(List<HostSpec> hosts, int minHosts) {
  private static final Set<String> HOST_KEYS = Set.of("host", "name", "port", "user", "identityFile",
      "passphraseEnv", "knownHosts", "hostKeyChecking", "workDir", "sharedWorkDir", "java", "jvmOptions",
      "slots", "nice", "init", "wrapper", "env");
  private static final Set<String> TOP_KEYS = Set.of("defaults", "hosts", "minHosts");

  public HostInventory {
    hosts = List.copyOf(hosts);
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("an inventory needs at least one host");
    }
    if (minHosts < 1 || minHosts > hosts.size()) {
      throw new IllegalArgumentException("minHosts must be 1.." + hosts.size() + ", was " + minHosts);
    }
    Set<String> names = new HashSet<>();
    for (HostSpec host : hosts) {
      if (!names.add(host.name())) {
        throw new IllegalArgumentException("two hosts are named '" + host.name() + "': give one a distinct name");
      }
    }
  }

  /** All of {@code hosts}, every one required. */
  public static HostInventory of(List<HostSpec> hosts) {
    return new HostInventory(hosts, hosts.size());
  }

  /** Reads an inventory file, taking passphrases from this process's environment. */
  public static HostInventory load(Path file) {
    return load(file, System.getenv());
  }

  /** Reads an inventory file, taking passphrases from {@code environment}. */
  public static HostInventory load(Path file, Map<String, String> environment) {
    requireNonNull(file, "file == null");
    String where = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new InventoryException(file + ": cannot read the inventory: " + e.getMessage(), e);
    }
    return parse(text, where, file.toAbsolutePath().getParent(), environment);
  }

  /** Parses inventory text; {@code source} names it in errors, {@code baseDir} anchors relative paths. */
  static HostInventory parse(String text, String source, Path baseDir, Map<String, String> environment) {
    JsonNode root;
    try {
      root = new YAMLMapper().readTree(text);
    } catch (JacksonException e) {
      throw new InventoryException(source + ": not valid YAML: " + e.getOriginalMessage(), e);
    }
    InventoryReader reader = new InventoryReader(source, baseDir, environment);
    if (root == null || !root.isObject()) {
      throw new InventoryException(source + ": expected a mapping with a 'hosts' list");
    }
    reader.checkKeys(root, TOP_KEYS, "");
    JsonNode defaults = root.path("defaults");
    if (!defaults.isMissingNode()) {
      if (!defaults.isObject()) {
        throw reader.error("defaults", "expected a mapping of host settings");
      }
      reader.checkKeys(defaults, HOST_KEYS, "defaults.");
      if (defaults.has("host") || defaults.has("name")) {
        throw reader.error("defaults", "'host' and 'name' belong to each host, not to defaults");
      }
    }
    JsonNode list = root.path("hosts");
    if (!list.isArray() || list.isEmpty()) {
      throw reader.error("hosts", "expected a non-empty list of hosts");
    }
    List<HostSpec> hosts = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String path = "hosts[" + i + "]";
      JsonNode entry = list.get(i);
      if (entry.isString()) {
        entry = reader.object(Map.of("host", entry.stringValue()));
      } else if (!entry.isObject()) {
        throw reader.error(path, "expected a host name or a mapping");
      }
      reader.checkKeys(entry, HOST_KEYS, path + ".");
      hosts.add(reader.host(path, entry, defaults));
    }
    int minHosts = root.has("minHosts") ? reader.integer(root.get("minHosts"), "minHosts") : hosts.size();
    try {
      return new HostInventory(hosts, minHosts);
    } catch (IllegalArgumentException e) {
      throw new InventoryException(source + ": " + e.getMessage(), e);
    }
  }

  /** The inventory with another partial-failure threshold. */
  public HostInventory withMinHosts(int minHosts) {
    return new HostInventory(hosts, minHosts);
  }

  /** Reads one host's settings, falling back to the defaults. */
  private record InventoryReader(String source, Path baseDir, Map<String, String> environment) {

    HostSpec host(String path, JsonNode entry, JsonNode defaults) {
      String host = string(value(entry, defaults, "host"), path + ".host");
      if (host == null) {
        throw error(path, "'host' is required");
      }
      HostSpec.Builder b = HostSpec.builder(host);
      setString(entry, defaults, "name", path, b::name);
      setInt(entry, defaults, "port", path, b::port);
      setString(entry, defaults, "user", path, b::user);
      setString(entry, defaults, "identityFile", path, v -> b.identityFile(localPath(v)));
      setString(entry, defaults, "passphraseEnv", path, variable -> {
        String passphrase = environment.get(variable);
        if (passphrase == null) {
          throw error(path + ".passphraseEnv", "environment variable " + variable + " is not set");
        }
        b.passphrase(passphrase);
      });
      setString(entry, defaults, "knownHosts", path, v -> b.knownHosts(localPath(v)));
      setString(entry, defaults, "hostKeyChecking", path, v -> b.hostKeyChecking(switch (v) {
        case "strict" -> HostKeyChecking.STRICT;
        case "accept-any-insecure" -> HostKeyChecking.ACCEPT_ANY_INSECURE;
        default -> throw error(path + ".hostKeyChecking", "expected strict or accept-any-insecure, was \"" + v + "\"");
      }));
      setString(entry, defaults, "workDir", path, b::workDir);
      JsonNode shared = value(entry, defaults, "sharedWorkDir");
      if (shared != null) {
        if (!shared.isBoolean()) {
          throw error(path + ".sharedWorkDir", "expected true or false, was " + shared);
        }
        b.sharedWorkDir(shared.booleanValue());
      }
      setString(entry, defaults, "java", path, b::javaCommand);
      JsonNode options = value(entry, defaults, "jvmOptions");
      if (options != null) {
        b.jvmOptions(strings(options, path + ".jvmOptions"));
      }
      setInt(entry, defaults, "slots", path, b::slots);
      setInt(entry, defaults, "nice", path, b::nice);
      setString(entry, defaults, "init", path, b::init);
      setString(entry, defaults, "wrapper", path, b::wrapper);
      JsonNode env = value(entry, defaults, "env");
      if (env != null) {
        if (!env.isObject()) {
          throw error(path + ".env", "expected a mapping of NAME: value");
        }
        Map<String, String> vars = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> var : env.properties()) {
          if (!var.getValue().isValueNode() || var.getValue().isNull()) {
            throw error(path + ".env." + var.getKey(), "expected a plain value");
          }
          vars.put(var.getKey(), var.getValue().asString());
        }
        b.environment(vars);
      }
      try {
        return b.build();
      } catch (IllegalArgumentException e) {
        throw error(path, e.getMessage());
      }
    }

    private static JsonNode value(JsonNode entry, JsonNode defaults, String key) {
      JsonNode own = entry.get(key);
      if (own != null) {
        return own;
      }
      return defaults.isObject() ? defaults.get(key) : null;
    }

    private void setString(JsonNode entry, JsonNode defaults, String key, String path, java.util.function.Consumer<String> setter) {
      String value = string(value(entry, defaults, key), path + "." + key);
      if (value != null) {
        setter.accept(value);
      }
    }

    private void setInt(JsonNode entry, JsonNode defaults, String key, String path, java.util.function.IntConsumer setter) {
      JsonNode value = value(entry, defaults, key);
      if (value != null) {
        setter.accept(integer(value, path + "." + key));
      }
    }

    String string(JsonNode node, String path) {
      if (node == null || node.isNull()) {
        return null;
      }
      if (!node.isValueNode() || node.isBoolean()) {
        throw error(path, "expected text, was " + node);
      }
      return node.asString();
    }

    int integer(JsonNode node, String path) {
      if (!node.isInt()) {
        throw error(path, "expected an integer, was " + node);
      }
      return node.intValue();
    }

    List<String> strings(JsonNode node, String path) {
      if (node.isString()) {
        return List.of(node.stringValue());
      }
      if (!node.isArray()) {
        throw error(path, "expected a list of text");
      }
      List<String> values = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        values.add(requireText(string(node.get(i), path + "[" + i + "]"), path + "[" + i + "]"));
      }
      return values;
    }

    private String requireText(String value, String path) {
      if (value == null) {
        throw error(path, "expected text, was null");
      }
      return value;
    }

    Path localPath(String value) {
      if (value.equals("~") || value.startsWith("~/")) {
        return Path.of(System.getProperty("user.home") + value.substring(1));
      }
      Path path = Path.of(value);
      return path.isAbsolute() || baseDir == null ? path : baseDir.resolve(path);
    }

    void checkKeys(JsonNode node, Set<String> allowed, String prefix) {
      for (String key : node.propertyNames()) {
        if (!allowed.contains(key)) {
          throw error(prefix + key, "unknown key (known: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
        }
      }
    }

    JsonNode object(Map<String, String> values) {
      return new YAMLMapper().valueToTree(values);
    }

    InventoryException error(String path, String message) {
      return new InventoryException(source + ": " + path + ": " + message);
    }
  }
}
