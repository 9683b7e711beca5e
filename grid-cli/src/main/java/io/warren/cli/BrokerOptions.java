package io.warren.cli;

import io.warren.grid.Grid;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * The broker options every farm command shares. Credentials come from {@code
 * WARREN_BROKER_USERNAME}/{@code WARREN_BROKER_PASSWORD} or a properties file — never from the
 * command line, where {@code ps} would show them — and are never printed.
 */
final class BrokerOptions {
  static final String USERNAME_ENV = "WARREN_BROKER_USERNAME";
  static final String PASSWORD_ENV = "WARREN_BROKER_PASSWORD";

  @Option(names = "--broker", required = true, description = "Broker URI, e.g. amqp://broker:5672 (no credentials).")
  URI broker;

  @Option(names = "--credentials-file", description = "Properties file with username= and password= (chmod 600).")
  Path credentialsFile;

  /** A grid builder for the broker with the credentials filled in. */
  Grid.Builder grid(Map<String, String> environment) throws IOException {
    if (broker.getUserInfo() != null) {
      throw new IllegalArgumentException("--broker must not carry credentials; use " + USERNAME_ENV + "/" + PASSWORD_ENV
          + " or --credentials-file");
    }
    String username = environment.get(USERNAME_ENV);
    String password = environment.get(PASSWORD_ENV);
    if (credentialsFile != null) {
      Properties properties = new Properties();
      try (InputStream in = Files.newInputStream(credentialsFile)) {
        properties.load(in);
      }
      username = properties.getProperty("username");
      password = properties.getProperty("password");
    }
    Grid.Builder builder = Grid.builder().broker(broker);
    if (username != null && password != null) {
      builder.credentials(username, password);
    }
    return builder;
  }
}
