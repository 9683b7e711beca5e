package io.warren.grid.spi;

import static java.util.Objects.requireNonNull;

/**
 * What a call message says ahead of its arguments: the method of which interface it calls, until
 * when its caller waits, under which lease, and how many calls it holds. {@link Codec#encodeCall}
 * writes it as the first five elements of the message's body, {@code [interface, method, deadline,
 * lease, chunk, arguments]}, and {@link Codec#readCall} reads it back.
 *
 * <p>Why in the body and not in AMQP headers: a message that carries a headers table at all costs
 * the broker and both clients about 6% of the rate of a 64 B call, measured against the same
 * fields in the body (docs/benchmarks.md, item 48); the fields are few and fixed, so the body's own
 * format holds them as well.
 *
 * @param interfaceName the service interface's binary class name
 * @param signature the method's signature as {@link ServiceContract} writes it
 * @param deadlineMillis when the caller stops waiting (epoch ms); the worker skips a call found later
 * @param leaseId the lease a leased call is made under, or null
 * @param chunk the number of calls in a chunk, or 0 for a single call
 */
public record CallEnvelope(String interfaceName, String signature, long deadlineMillis, String leaseId, int chunk) {
  public CallEnvelope {
    requireNonNull(interfaceName, "interfaceName == null");
    requireNonNull(signature, "signature == null");
    if (chunk < 0) {
      throw new IllegalArgumentException("chunk must be 0 (a single call) or the number of calls, was " + chunk);
    }
  }
}
