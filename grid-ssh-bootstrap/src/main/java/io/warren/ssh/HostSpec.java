package io.warren.ssh;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One worker host: how to reach it over SSH and how to run a worker runtime there. Usually read from
 * a {@link HostInventory} file; built in code with {@link #builder(String)}.
 *
 * <pre>{@code
 * HostSpec node = HostSpec.builder("node1.lab").user("warren").slots(8).workDir("/scratch/warren").build();
 * }</pre>
 *
 * @param name how errors and progress name this host (default: {@code host})
 * @param host DNS name, address, or an alias from {@code ~/.ssh/config}
 * @param port SSH port, or 0 for the ssh config's (else 22)
 * @param user login user, or null for the ssh config's (else the local user)
 * @param identityFile private key file, or null for the ssh config's (else {@code ~/.ssh/id_ed25519}, {@code id_rsa})
 * @param passphrase the key's passphrase, or null; never shown by {@link #toString()}
 * @param knownHosts the known_hosts file the host key is checked against
 * @param hostKeyChecking how the host key is checked; {@link HostKeyChecking#STRICT} unless opted out
 * @param workDir remote directory for shipped files, logs and pid files (relative: to the login home)
 * @param sharedWorkDir whether {@code workDir} is on a file system every host of the farm shares, so
 *     files are copied once for all of them
 * @param javaCommand the java executable on the host: a name looked up on the PATH, or a path ({@code ~/}
 *     at the start for the login home; relative: to the work dir, where the worker starts)
 * @param jvmOptions options for the worker JVM
 * @param slots instances per service the worker hosts, or 0 for the host's CPU count
 * @param nice niceness the worker runs at (0: unchanged)
 * @param init shell commands run before the worker starts (e.g. {@code module load java/17}), or null
 * @param wrapper a command prefix the worker runs under (e.g. {@code numactl --interleave=all}), or null
 * @param environment extra environment variables for the worker
 */
public record HostSpec(
    String name,
    String host,
    int port,
    String user,
    Path identityFile,
    String passphrase,
    Path knownHosts,
    HostKeyChecking hostKeyChecking,
    String workDir,
    boolean sharedWorkDir,
    String javaCommand,
    List<String> jvmOptions,
    int slots,
    int nice,
    String init,
    String wrapper,
    Map<String, String> environment) {

  public HostSpec {
    requireNonNull(name, "name == null");
    requireNonNull(host, "host == null");
    requireNonNull(knownHosts, "knownHosts == null");
    requireNonNull(hostKeyChecking, "hostKeyChecking == null");
    requireNonNull(workDir, "workDir == null");
    requireNonNull(javaCommand, "javaCommand == null");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(name + ": port must be 0..65535, was " + port);
    }
    if (slots < 0) {
      throw new IllegalArgumentException(name + ": slots must be >= 0 (0: the host's CPU count), was " + slots);
    }
    if (nice < -20 || nice > 19) {
      throw new IllegalArgumentException(name + ": nice must be -20..19, was " + nice);
    }
    if (workDir.isBlank()) {
      throw new IllegalArgumentException(name + ": workDir must not be blank");
    }
    for (String key : environment.keySet()) {
      if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new IllegalArgumentException(name + ": environment variable name '" + key + "' is not a valid shell name");
      }
    }
    jvmOptions = List.copyOf(jvmOptions);
    environment = Map.copyOf(environment);
  }

  /** A builder for {@code host} with the defaults documented on {@link Builder}. */
  public static Builder builder(String host) {
    return new Builder(host);
  }

  /** A builder starting from this host's settings. */
  public Builder toBuilder() {
    Builder b = new Builder(host);
    b.name = name;
    b.port = port;
    b.user = user;
    b.identityFile = identityFile;
    b.passphrase = passphrase;
    b.knownHosts = knownHosts;
    b.hostKeyChecking = hostKeyChecking;
    b.workDir = workDir;
    b.sharedWorkDir = sharedWorkDir;
    b.javaCommand = javaCommand;
    b.jvmOptions = jvmOptions;
    b.slots = slots;
    b.nice = nice;
    b.init = init;
    b.wrapper = wrapper;
    b.environment = new LinkedHashMap<>(environment);
    return b;
  }

  @Override
  public String toString() {
    return "HostSpec[" + name + " " + (user == null ? "" : user + "@") + host + (port == 0 ? "" : ":" + port)
        + ", workDir=" + workDir + (sharedWorkDir ? " (shared)" : "") + ", slots=" + (slots == 0 ? "cpus" : slots)
        + ", hostKeyChecking=" + hostKeyChecking + (passphrase == null ? "" : ", passphrase=***") + "]";
  }

  /**
   * Builds a {@link HostSpec}. Defaults: port and user from {@code ~/.ssh/config} (else 22 and the
   * local user), known hosts {@code ~/.ssh/known_hosts}, strict host-key checking, work dir
   * {@code .warren} under the login home, {@code java} from the PATH, one slot per CPU.
   */
  public static final class Builder {
    private final String host;
    private String name;
    private int port;
    private String user;
    private Path identityFile;
    private String passphrase;
    private Path knownHosts = Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
    private HostKeyChecking hostKeyChecking = HostKeyChecking.STRICT;
    private String workDir = ".warren";
    private boolean sharedWorkDir;
    private String javaCommand = "java";
    private List<String> jvmOptions = List.of();
    private int slots;
    private int nice;
    private String init;
    private String wrapper;
    private Map<String, String> environment = new LinkedHashMap<>();

    private Builder(String host) {
      this.host = requireNonNull(host, "host == null");
    }

    public Builder name(String name) { this.name = requireNonNull(name, "name == null"); return this; }
    public Builder port(int port) { this.port = port; return this; }
    public Builder user(String user) { this.user = user; return this; }
    public Builder identityFile(Path file) { this.identityFile = file; return this; }
    public Builder passphrase(String passphrase) { this.passphrase = passphrase; return this; }
    public Builder knownHosts(Path file) { this.knownHosts = requireNonNull(file, "file == null"); return this; }
    public Builder hostKeyChecking(HostKeyChecking checking) { this.hostKeyChecking = requireNonNull(checking, "checking == null"); return this; }
    public Builder workDir(String dir) { this.workDir = requireNonNull(dir, "dir == null"); return this; }
    public Builder sharedWorkDir(boolean shared) { this.sharedWorkDir = shared; return this; }
    public Builder javaCommand(String command) { this.javaCommand = requireNonNull(command, "command == null"); return this; }
    public Builder jvmOptions(List<String> options) { this.jvmOptions = List.copyOf(options); return this; }
    public Builder slots(int slots) { this.slots = slots; return this; }
    public Builder nice(int nice) { this.nice = nice; return this; }
    public Builder init(String commands) { this.init = commands; return this; }
    public Builder wrapper(String prefix) { this.wrapper = prefix; return this; }
    public Builder environment(Map<String, String> environment) { this.environment = new LinkedHashMap<>(environment); return this; }

    public HostSpec build() {
      return new HostSpec(name == null ? host : name, host, port, user, identityFile, passphrase, knownHosts,
          hostKeyChecking, workDir, sharedWorkDir, javaCommand, jvmOptions, slots, nice, init, wrapper, environment);
    }
  }
}
