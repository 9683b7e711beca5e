package io.warren.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the RabbitMQ server's own scripts are on this machine.
 *
 * <pre>{@code
 * RabbitMqInstallation rabbit = RabbitMqInstallation.find();   // throws if not installed
 * new ProcessBuilder(rabbit.server().toString());
 * }</pre>
 *
 * @param server the {@code rabbitmq-server} start script
 * @param ctl the {@code rabbitmqctl} script next to it
 */
record RabbitMqInstallation(Path server, Path ctl) {
  /**
   * The Debian package's real scripts. Its {@code /usr/sbin} wrappers are not used on purpose: run
   * as root they switch to the {@code rabbitmq} user, which can read neither a private temporary
   * directory nor the node's Erlang cookie, and they send output to {@code /var/log/rabbitmq}.
   */
  private static final Path DEBIAN_SCRIPTS = Path.of("/usr/lib/rabbitmq/bin");

  /**
   * Finds the scripts: first the Debian package's, then a {@code rabbitmq-server} on the
   * {@code PATH} that is not the Debian wrapper (a generic-unix install).
   *
   * @throws IllegalStateException if RabbitMQ is not installed; tests then fail, never skip
   */
  static RabbitMqInstallation find() {
    return in(DEBIAN_SCRIPTS)
        .or(RabbitMqInstallation::onPath)
        .orElseThrow(() -> new IllegalStateException(
            "RabbitMQ is not installed: no " + DEBIAN_SCRIPTS.resolve("rabbitmq-server")
                + " and no rabbitmq-server on the PATH. Install Debian's package: "
                + "apt-get install rabbitmq-server (with a policy-rc.d that exits 101 so that no "
                + "system service starts; .ci/run does this)"));
  }

  private static Optional<RabbitMqInstallation> onPath() {
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.of(path.split(java.io.File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(Path::of)
        .filter(dir -> !dir.equals(Path.of("/usr/sbin")) && !dir.equals(Path.of("/sbin")))
        .map(RabbitMqInstallation::in)
        .flatMap(Optional::stream)
        .findFirst();
  }

  private static Optional<RabbitMqInstallation> in(Path dir) {
    Path server = dir.resolve("rabbitmq-server");
    Path ctl = dir.resolve("rabbitmqctl");
    return Files.isExecutable(server) && Files.isExecutable(ctl)
        ? Optional.of(new RabbitMqInstallation(server, ctl))
        : Optional.empty();
  }
}
