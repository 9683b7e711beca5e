package io.warren.grid.spi;

import static java.util.Objects.requireNonNull;

import io.warren.grid.WireFormat;
import java.time.Duration;

/**
 * One encoded method call handed to a transport.
 *
 * @param target where it may run
 * @param interfaceName the service interface's binary class name
 * @param signature the method's signature as {@link ServiceContract} writes it
 * @param arguments the arguments encoded by {@link Codec#encodeArguments}
 * @param format the format of {@code arguments}; the result comes back in the same one
 * @param timeout how long the caller waits for the result; the worker skips the call once it passed
 */
public record Invocation(
    CallTarget target, String interfaceName, String signature, byte[] arguments, WireFormat format, Duration timeout) {
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
  }
}
