package io.warren.grid.spi;

import static java.util.Objects.requireNonNull;

import io.warren.grid.WireFormat;
import java.time.Duration;

/**
 * One encoded method call handed to a transport, or a chunk: several calls of one method in one
 * message ({@code chunk} of them, their arguments written by {@link Codec#encodeChunkArguments}, their
 * results coming back as {@link Codec#encodeChunkResults} writes them).
 *
 * @param target where it may run
 * @param interfaceName the service interface's binary class name
 * @param signature the method's signature as {@link ServiceContract} writes it
 * @param arguments the arguments encoded by {@link Codec#encodeArguments}
 * @param format the format of {@code arguments}; the result comes back in the same one
 * @param timeout how long the caller waits for the result; the worker skips the call once it passed
 * @param chunk the number of calls in a chunk, or 0 for a single call
 */
public record Invocation(CallTarget target, String interfaceName, String signature, byte[] arguments, WireFormat format,
    Duration timeout, int chunk) {
  public Invocation {
    requireNonNull(target, "target == null");
    requireNonNull(interfaceName, "interfaceName == null");
    requireNonNull(signature, "signature == null");
    requireNonNull(arguments, "arguments == null");
    requireNonNull(format, "format == null");
    requireNonNull(timeout, "timeout == null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    if (chunk < 0) {
      throw new IllegalArgumentException("chunk must be 0 (a single call) or the number of calls, was " + chunk);
    }
  }

  /** A single call. */
  public Invocation(CallTarget target, String interfaceName, String signature, byte[] arguments, WireFormat format,
      Duration timeout) {
    this(target, interfaceName, signature, arguments, format, timeout, 0);
  }
}
