package io.warren.grid;

import java.util.Optional;

/**
 * How call arguments and results travel: the client picks one ({@link Grid.Builder#wireFormat}), and
 * each request names it in its AMQP {@code content-type}; workers read every format and answer in the
 * request's. Both formats are read by the same rules: only the types the service interface declares
 * are built, never a class named by the payload.
 *
 * <p>{@link #JSON} is the default: readable in the broker's management UI and by any language.
 * {@link #CBOR} (RFC 8949, a binary encoding of the same data model) carries a {@code byte[]} as raw
 * bytes where JSON needs base64 (4/3 the size, and an encode and a decode on each side), so it is the
 * better choice for binary or large payloads; docs/benchmarks.md measures both.
 */
public enum WireFormat {
  /** JSON text, {@code application/json}. */
  JSON("application/json"),
  /** CBOR, {@code application/cbor}. */
  CBOR("application/cbor");

  private final String contentType;

  WireFormat(String contentType) {
    this.contentType = contentType;
  }

  /** The AMQP {@code content-type} that names this format on a message. */
  public String contentType() {
    return contentType;
  }

  /**
   * The format a {@code content-type} names, ignoring case and parameters such as {@code ;
   * charset=utf-8}; empty for null or a type Warren does not read.
   */
  public static Optional<WireFormat> ofContentType(String contentType) {
    if (contentType == null) {
      return Optional.empty();
    }
    int semicolon = contentType.indexOf(';');
    String bare = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    for (WireFormat format : values()) {
      if (format.contentType.equalsIgnoreCase(bare)) {
        return Optional.of(format);
      }
    }
    return Optional.empty();
  }
}
