package io.warren.amqp.embedded;

import static java.util.Objects.requireNonNull;

/**
 * The Qpid Broker-J initial configuration (model version 8.0) of an {@link EmbeddedBroker}: one
 * PLAIN user, one AMQP 0-9-1 port on loopback, one in-memory virtual host.
 *
 * <pre>{@code
 * Files.writeString(file, new InitialConfig("warren", password).toJson());
 * }</pre>
 *
 * <p>Values are written into the JSON as they are, so they must not need JSON escaping and must not
 * contain {@code $} (Qpid expands {@code ${...}} in its configuration); the constructor checks this.
 */
record InitialConfig(String username, String password) {
  /** The virtual host's name; it is also the default one, reached through the empty path {@code /}. */
  static final String VIRTUAL_HOST = "default";

  InitialConfig {
    requireNonNull(username, "username == null");
    requireNonNull(password, "password == null");
    requirePlain(username, "username");
    requirePlain(password, "password");
  }

  /** The configuration as JSON text, ready for {@code initialConfigurationLocation}. */
  String toJson() {
    // - secureOnlyMechanisms []: Qpid refuses PLAIN on a non-TLS port unless told otherwise.
    // - port 0 on 127.0.0.1: the OS picks a free port; nothing off this machine can reach it.
    // - nameAlias lets "amqp://host:port/default" in; defaultAlias lets the empty name in, which is
    //   what amqp-client sends for "amqp://host:port/" ("" ) and "amqp://host:port" ("/", and Qpid
    //   strips the leading '/'). Without defaultAlias both fail with "Unknown virtual host".
    // - Memory node and host: nothing persistent on disk.
    return """
        {
          "name": "warren-embedded",
          "modelVersion": "8.0",
          "authenticationproviders": [ {
            "name": "plain",
            "type": "Plain",
            "secureOnlyMechanisms": [],
            "users": [ { "name": "%1$s", "type": "managed", "password": "%2$s" } ]
          } ],
          "ports": [ {
            "name": "AMQP",
            "type": "AMQP",
            "port": 0,
            "bindingAddress": "127.0.0.1",
            "protocols": [ "AMQP_0_9_1" ],
            "authenticationProvider": "plain",
            "virtualhostaliases": [
              { "name": "nameAlias", "type": "nameAlias" },
              { "name": "defaultAlias", "type": "defaultAlias" }
            ]
          } ],
          "virtualhostnodes": [ {
            "name": "%3$s",
            "type": "Memory",
            "defaultVirtualHostNode": "true",
            "virtualHostInitialConfiguration": "{ \\"type\\": \\"Memory\\" }"
          } ]
        }
        """.formatted(username, password, VIRTUAL_HOST);
  }

  /** Names the user only: a record's default {@code toString} would print the password. */
  @Override
  public String toString() {
    return "InitialConfig[username=" + username + ", password=***]";
  }

  private static void requirePlain(String value, String what) {
    if (value.isEmpty() || !value.chars().allMatch(InitialConfig::isPlain)) {
      // Never echo the value: it may be the password.
      throw new IllegalArgumentException(what + " must be non-empty and use only [A-Za-z0-9._-]");
    }
  }

  private static boolean isPlain(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '_' || c == '-';
  }
}
