package io.warren.grid.internal;

import static java.util.Objects.requireNonNull;

import io.warren.grid.BadRequestException;
import io.warren.grid.spi.CallEnvelope;
import io.warren.grid.spi.CallTarget;
import io.warren.grid.spi.Codec;
import io.warren.grid.spi.GridBackend;
import io.warren.grid.spi.Invocation;
import io.warren.grid.spi.MethodContract;
import io.warren.grid.spi.ServiceContract;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The invocation handler behind every typed proxy. Methods of {@code Object} and default methods
 * run locally; every other method is looked up in the interface's parsed {@link ServiceContract}
 * (by full signature) and sent to {@link #target}.
 */
public final class ServiceProxy implements InvocationHandler {

  /** Checked before each call; a lease uses it to refuse calls after release. */
  @FunctionalInterface
  public interface Gate {
    void check();
  }

  private final ServiceContract contract;
  private final CallTarget target;
  private final GridBackend backend;
  private final Duration timeout;
  private final Executor callbacks;
  private final Gate gate;
  private final CallEncoding encoding;

  private ServiceProxy(ServiceContract contract, CallTarget target, GridBackend backend, Duration timeout,
      Executor callbacks, Gate gate, CallEncoding encoding) {
    this.contract = contract;
    this.target = target;
    this.backend = backend;
    this.timeout = timeout;
    this.callbacks = callbacks;
    this.gate = gate;
    this.encoding = encoding;
  }

  /**
   * A proxy of {@code type} whose calls go to {@code target}. Async results complete on {@code
   * callbacks} (the grid's callback executor). A synchronous call first asks the backend whether
   * this thread may block ({@link GridBackend#checkMayBlock}). Calls are encoded as
   * {@code encoding} says; those whose encoded arguments exceed its limit are refused before anything
   * is sent.
   */
  public static <T> T create(Class<T> type, CallTarget target, GridBackend backend, Duration timeout,
      Executor callbacks, Gate gate, CallEncoding encoding) {
    ServiceContract contract = ServiceContract.of(type);
    ServiceProxy handler = new ServiceProxy(
        contract, requireNonNull(target, "target == null"), requireNonNull(backend, "backend == null"),
        requireNonNull(timeout, "timeout == null"), requireNonNull(callbacks, "callbacks == null"),
        requireNonNull(gate, "gate == null"), requireNonNull(encoding, "encoding == null"));
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return objectMethod(proxy, method, args);
    }
    if (method.isDefault()) {
      return InvocationHandler.invokeDefault(proxy, method, args);
    }
    MethodContract remote = contract.method(method).orElse(null);
    if (remote == null) { // an interface redeclaring an Object method, e.g. String toString()
      return objectMethod(proxy, method, args);
    }
    CallCapture capture = CallCapture.current();
    if (capture != null && capture.records()) {
      // The proxy machinery passes a fresh array per call, so it can be kept as it is.
      capture.recorded(new CallCapture.Recorded(this, remote, args == null ? new Object[0] : args));
      return remote.placeholderResult();
    }
    gate.check();
    if (!remote.async() && capture == null) {
      backend.checkMayBlock(remote.displayName()); // before anything is sent
    }
    Codec codec = encoding.codec();
    byte[] encoded = withinLimit(codec.encodeCall(envelope(remote, 0), remote, args), remote, "the call", "");
    CompletableFuture<byte[]> call = backend.invoke(
        new Invocation(target, remote.signature(), encoded, codec.format(), timeout));
    if (capture != null) {
      capture.started(decodedAsync(remote, call));
      return remote.placeholderResult();
    }
    if (remote.async()) {
      return decodedAsync(remote, call);
    }
    // Synchronous: decode on the caller's thread, not the transport's.
    return codec.decodeResult(remote, Futures.await(call));
  }

  /**
   * Sends the calls of {@code method} with each of {@code calls}' arguments as one chunk (one
   * message, one instance, in order) and returns one future per call. Each future completes on the
   * callback executor with its own value or error; a failure of the whole message (timeout, lost
   * instance, a chunk the worker refused) fails every call. Cancelling every call's future cancels the
   * message.
   */
  List<CompletableFuture<Object>> invokeChunk(MethodContract method, List<Object[]> calls) {
    gate.check();
    Codec codec = encoding.codec();
    byte[] encoded = withinLimit(codec.encodeChunkCall(envelope(method, calls.size()), method, calls), method,
        "a chunk of " + calls.size() + " calls", "; send smaller chunks");
    CompletableFuture<byte[]> message = backend.invoke(
        new Invocation(target, method.signature(), encoded, codec.format(), timeout));
    List<CompletableFuture<Object>> results = new ArrayList<>(calls.size());
    AtomicInteger cancelled = new AtomicInteger();
    for (int i = 0; i < calls.size(); i++) {
      CompletableFuture<Object> result = new CompletableFuture<>();
      result.whenComplete((value, failure) -> {
        if (result.isCancelled() && cancelled.incrementAndGet() == calls.size()) {
          message.cancel(true);
        }
      });
      results.add(result);
    }
    message.whenCompleteAsync((body, failure) -> {
      if (failure != null) {
        Throwable cause = BoundedMap.unwrap(failure);
        results.forEach(r -> r.completeExceptionally(cause));
        return;
      }
      List<Codec.ItemResult> items;
      try {
        items = codec.decodeChunkResults(method, body, calls.size());
      } catch (RuntimeException e) {
        results.forEach(r -> r.completeExceptionally(e));
        return;
      }
      for (int i = 0; i < items.size(); i++) {
        Codec.ItemResult item = items.get(i);
        if (item.error() == null) {
          results.get(i).complete(item.value());
        } else {
          results.get(i).completeExceptionally(item.error().toException());
        }
      }
    }, callbacks);
    return results;
  }

  /** The envelope of a call of {@code method} made now ({@code chunk}: the calls in a chunk, or 0). */
  private CallEnvelope envelope(MethodContract method, int chunk) {
    String leaseId = target instanceof CallTarget.Leased leased ? leased.lease().leaseId() : null;
    return new CallEnvelope(contract.type().getName(), method.signature(), System.currentTimeMillis() + timeout.toMillis(),
        leaseId, chunk);
  }

  /** {@code encoded}, unless it exceeds the message limit: then nothing is sent and the caller gets why. */
  private byte[] withinLimit(byte[] encoded, MethodContract method, String what, String advice) {
    if (encoded.length > encoding.maxMessageBytes()) {
      throw new BadRequestException(method.displayName() + ": " + what + " takes " + encoded.length
          + " bytes, more than the limit of " + encoding.maxMessageBytes() + " (Grid.Builder.maxMessageBytes" + advice + ")");
    }
    return encoded;
  }

  private CompletableFuture<Object> decodedAsync(MethodContract remote, CompletableFuture<byte[]> call) {
    CompletableFuture<Object> decoded = call.thenApplyAsync(bytes -> encoding.codec().decodeResult(remote, bytes), callbacks);
    return Futures.cancelPropagatesTo(decoded, call);
  }

  private Object objectMethod(Object proxy, Method method, Object[] args) {
    return switch (method.getName()) {
      case "equals" -> proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      case "toString" -> contract.type().getSimpleName() + "Proxy[" + target + "]";
      default -> throw new UnsupportedOperationException(method.toString());
    };
  }
}
