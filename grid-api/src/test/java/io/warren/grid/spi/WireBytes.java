package io.warren.grid.spi;

import io.warren.grid.WireFormat;
import java.nio.charset.StandardCharsets;

/** Test bodies written as JSON text and sent in either format, so the hostile cases read alike in both. */
final class WireBytes {
  private WireBytes() {}

  /** The data of {@code json} in {@code format}: its UTF-8 bytes, or the same data as CBOR. */
  static byte[] of(WireFormat format, String json) {
    return format == WireFormat.JSON
        ? json.getBytes(StandardCharsets.UTF_8)
        : Codec.cbor().mapper().writeValueAsBytes(Codec.json().mapper().readTree(json));
  }
}
