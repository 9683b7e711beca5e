package io.warren.grid.spi;

import static java.util.Objects.requireNonNull;

/**
 * A call message whose envelope has been read ({@link Codec#readCall}) and whose arguments have not:
 * they are the {@code argumentsLength} bytes at {@code argumentsOffset} of {@code body}, decoded by
 * {@link Codec#decodeArguments(MethodContract, CallMessage)} (or {@link
 * Codec#decodeChunkArguments(MethodContract, CallMessage)} for a chunk) once the receiver has
 * checked the envelope (the deadline, the lease, the method) and knows the declared types.
 */
public record CallMessage(CallEnvelope envelope, byte[] body, int argumentsOffset, int argumentsLength) {
  public CallMessage {
    requireNonNull(envelope, "envelope == null");
    requireNonNull(body, "body == null");
    if (argumentsOffset < 0 || argumentsLength < 0 || argumentsOffset + argumentsLength > body.length) {
      throw new IllegalArgumentException("arguments at " + argumentsOffset + "+" + argumentsLength
          + " lie outside a body of " + body.length + " bytes");
    }
  }
}
