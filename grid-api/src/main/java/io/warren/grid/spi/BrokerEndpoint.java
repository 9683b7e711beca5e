package io.warren.grid.spi;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where the broker is and how to log in. The URIs never carry credentials, so they can be logged and
 * put on a command line; the password stays out of {@link #toString()}.
 *
 * <p>A clustered broker has several addresses: {@code uri} is the preferred node and
 * {@code alternates} the others, tried in order when it cannot be reached (on the first connect and
 * on every reconnect). All of them share the scheme and the virtual host.
 *
 * <pre>{@code
 * BrokerEndpoint cluster = BrokerEndpoint.parseList("amqp://n1:5672,amqp://n2:5672,amqp://n3:5672")
 *     .withCredentials("grid", secret);
 * }</pre>
 *
 * @param uri {@code amqp://host:port/vhost} or {@code amqps://...}, without user info
 * @param alternates further nodes of the same cluster, in the order to try them; often empty
 * @param username the broker user
 * @param password the broker password
 */
public record BrokerEndpoint(URI uri, List<URI> alternates, String username, String password) {
  public BrokerEndpoint {
    requireNonNull(uri, "uri == null");
    requireNonNull(username, "username == null");
    requireNonNull(password, "password == null");
    alternates = List.copyOf(alternates);
    check(uri);
    for (URI alternate : alternates) {
      check(alternate);
      if (!alternate.getScheme().equalsIgnoreCase(uri.getScheme())
          || !String.valueOf(alternate.getRawPath()).equals(String.valueOf(uri.getRawPath()))) {
        throw new IllegalArgumentException("every broker address needs the same scheme and virtual host as " + uri + ": " + alternate);
      }
    }
  }

  /** One broker node. */
  public BrokerEndpoint(URI uri, String username, String password) {
    this(uri, List.of(), username, password);
  }

  private static void check(URI uri) {
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

  /**
   * Parses a comma-separated list of broker URIs (the form worker command lines use), the first
   * preferred. Credentials, if any, are taken from the first.
   */
  public static BrokerEndpoint parseList(String uris) {
    List<BrokerEndpoint> parsed = splitList(uris).stream().map(BrokerEndpoint::parse).toList();
    if (parsed.isEmpty()) {
      throw new IllegalArgumentException("no broker uri in '" + uris + "'");
    }
    BrokerEndpoint first = parsed.get(0);
    return new BrokerEndpoint(first.uri(), parsed.subList(1, parsed.size()).stream().map(BrokerEndpoint::uri).toList(),
        first.username(), first.password());
  }

  /** The URIs of a comma-separated list, in order, blanks skipped; possibly none. */
  public static List<URI> splitList(String uris) {
    requireNonNull(uris, "uris == null");
    List<URI> split = new ArrayList<>();
    for (String part : uris.split(",")) {
      if (!part.isBlank()) {
        split.add(URI.create(part.strip()));
      }
    }
    return split;
  }

  /** Every address, the preferred first. */
  public List<URI> uris() {
    List<URI> all = new ArrayList<>();
    all.add(uri);
    all.addAll(alternates);
    return all;
  }

  /** The addresses as {@link #parseList} reads them back: comma-separated, no credentials. */
  public String uriList() {
    return uris().stream().map(URI::toString).collect(Collectors.joining(","));
  }

  /** This endpoint with other credentials. */
  public BrokerEndpoint withCredentials(String username, String password) {
    return new BrokerEndpoint(uri, alternates, username, password);
  }

  /** This endpoint with further cluster nodes to try after {@link #uri()}. */
  public BrokerEndpoint withAlternates(List<URI> alternates) {
    return new BrokerEndpoint(uri, alternates, username, password);
  }

  @Override
  public String toString() {
    return "BrokerEndpoint[" + uriList() + ", user=" + username + ", password=***]";
  }
}
