package io.warren.grid.spi;

import java.io.ByteArrayOutputStream;

/**
 * The output buffer a codec writes one message into, kept per thread between messages so that
 * encoding allocates the message itself and nothing more.
 *
 * <p>Why: a fresh {@code ByteArrayOutputStream} grows by doubling, so a 16 KB message allocated
 * about 64 KB of discarded arrays before its final copy (CBOR arguments: 65 KB allocated per
 * encode; Jackson's own {@code writeValueAsBytes} 30 KB, its segments then their join). The copy
 * out of the buffer is the one array that must exist. A buffer that grew past {@link #KEPT_BYTES}
 * for a rare large message is dropped afterwards, so no thread holds on to a large array.
 *
 * <p>Nested use on one thread (a serializer that encodes another message) is safe: the buffer is
 * taken out of the thread's slot while in use, and a nested encode gets a fresh one.
 *
 * <pre>{@code
 * EncodeBuffer out = EncodeBuffer.take();
 * try {
 *   writer.writeValue(out, value);
 *   return out.toByteArray();
 * } finally {
 *   out.giveBack();
 * }
 * }</pre>
 */
final class EncodeBuffer extends ByteArrayOutputStream {
  /** The largest buffer a thread keeps between messages. */
  static final int KEPT_BYTES = 256 * 1024;
  private static final int INITIAL_BYTES = 1024;
  private static final ThreadLocal<EncodeBuffer> SPARE = new ThreadLocal<>();

  private EncodeBuffer() {
    super(INITIAL_BYTES);
  }

  /** This thread's buffer, empty, or a new one if the thread has none free. */
  static EncodeBuffer take() {
    EncodeBuffer spare = SPARE.get();
    if (spare == null) {
      return new EncodeBuffer();
    }
    SPARE.set(null);
    spare.reset();
    return spare;
  }

  /** Returns this buffer to the thread that took it; not to be used afterwards. */
  void giveBack() {
    if (buf.length <= KEPT_BYTES) {
      SPARE.set(this);
    }
  }

  /** The size of the array behind the buffer (for tests). */
  int capacity() {
    return buf.length;
  }
}
