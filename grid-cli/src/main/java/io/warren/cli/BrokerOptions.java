package io.warren.cli;

import io.warren.grid.Grid;
import io.warren.grid.spi.BrokerEndpoint;
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
    String[] credentials = credentials(environment);
    Grid.Builder builder = Grid.builder().broker(broker);
    if (credentials != null) {
      builder.credentials(credentials[0], credentials[1]);
    }
    return builder;
  }

  /** The broker endpoint with the credentials (RabbitMQ's guest/guest when none are given). */
  BrokerEndpoint endpoint(Map<String, String> environment) throws IOException {
    String[] credentials = credentials(environment);
    BrokerEndpoint endpoint = BrokerEndpoint.parse(broker);
    return credentials == null ? endpoint : endpoint.withCredentials(credentials[0], credentials[1]);
  }

  private String[] credentials(Map<String, String> environment) throws IOException {
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
      username = fromCredentialsFile(properties, "username");
      password = fromCredentialsFile(properties, "password");
    }
    return username != null && password != null ? new String[] {username, password} : null;
  }

  /** A key the credentials file must have: without it, the broker's guest/guest would be tried instead. */
  private String fromCredentialsFile(Properties properties, String key) {
    String value = properties.getProperty(key);
    if (value == null) {
      throw new IllegalArgumentException("--credentials-file " + credentialsFile + " has no " + key + "= line");
    }
    return value;
  }
}
