package io.warren.grid.spi;

import static java.util.Objects.requireNonNull;

import io.warren.grid.WireFormat;
import java.time.Duration;

/**
 * One encoded call message handed to a transport: a single call or a chunk (several calls of one
 * method), its {@link CallEnvelope} and arguments written by {@link Codec#encodeCall} or {@link
 * Codec#encodeChunkCall}. The transport sends {@code body} as it is; the other fields are for it
 * to route, time and name the call without reading the body.
 *
 * @param target where it may run
 * @param signature the method's signature, as in the envelope (for the transport's error messages)
 * @param body the call message
 * @param format the format of {@code body}; the result comes back in the same one
 * @param timeout how long the caller waits for the result (the envelope's deadline is now plus it)
 */
public record Invocation(CallTarget target, String signature, byte[] body, WireFormat format, Duration timeout) {
  public Invocation {
    requireNonNull(target, "target == null");
    requireNonNull(signature, "signature == null");
    requireNonNull(body, "body == null");
    requireNonNull(format, "format == null");
    Durations.positive(timeout, "timeout");
  }
}
