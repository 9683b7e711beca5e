package io.warren.grid.spi;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * Where the broker is and how to log in. The URI never carries credentials, so it can be logged and
 * put on a command line; the password stays out of {@link #toString()}.
 *
 * @param uri {@code amqp://host:port/vhost} or {@code amqps://...}, without user info
 * @param username the broker user
 * @param password the broker password
 */
public record BrokerEndpoint(URI uri, String username, String password) {
  public BrokerEndpoint {
    requireNonNull(uri, "uri == null");
    requireNonNull(username, "username == null");
    requireNonNull(password, "password == null");
    if (uri.getUserInfo() != null) {
      throw new IllegalArgumentException("uri must not carry credentials; use username and password");
    }
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw new IllegalArgumentException("broker uri needs a scheme and a host: " + uri);
    }
  }

  /**
   * Splits a URI that may carry {@code user:password@} into an endpoint; without user info the
   * RabbitMQ default {@code guest}/{@code guest} applies.
   */
  public static BrokerEndpoint parse(URI uri) {
    requireNonNull(uri, "uri == null");
    String user = "guest";
    String password = "guest";
    String info = uri.getUserInfo();
    if (info != null) {
      int colon = info.indexOf(':');
      user = colon < 0 ? info : info.substring(0, colon);
      password = colon < 0 ? "" : info.substring(colon + 1);
    }
    // Rebuilt from the raw (still encoded) parts: a vhost such as %2F must stay encoded.
    String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    try {
      return new BrokerEndpoint(new URI(uri.getScheme() + "://" + uri.getHost() + port + path + query), user, password);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("bad broker uri (credentials not shown)", e);
    }
  }

  /** This endpoint with other credentials. */
  public BrokerEndpoint withCredentials(String username, String password) {
    return new BrokerEndpoint(uri, username, password);
  }

  @Override
  public String toString() {
    return "BrokerEndpoint[" + uri + ", user=" + username + ", password=***]";
  }
}
