package io.warren.grid.internal;

import static java.util.Objects.requireNonNull;

import io.warren.grid.spi.Codec;

/**
 * How a proxy encodes its calls: the codec of the grid's wire format, and the largest encoded
 * arguments it sends (larger calls are refused before anything is sent).
 *
 * @param codec the codec of {@code Grid.Builder.wireFormat}
 * @param maxMessageBytes {@code Grid.Builder.maxMessageBytes}
 */
public record CallEncoding(Codec codec, int maxMessageBytes) {
  public CallEncoding {
    requireNonNull(codec, "codec == null");
    if (maxMessageBytes < 1) {
      throw new IllegalArgumentException("maxMessageBytes must be >= 1, was " + maxMessageBytes);
    }
  }
}
