package io.warren.worker;

import io.warren.grid.ErrorCode;
import io.warren.grid.GridException;
import io.warren.grid.NonIdempotent;
import io.warren.grid.spi.CallEnvelope;
import io.warren.grid.spi.CallMessage;
import io.warren.grid.spi.Codec;
import io.warren.grid.spi.MethodContract;
import io.warren.grid.spi.ServiceContract;
import io.warren.grid.spi.WireError;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One hosted service object and the calls it accepts: a call names an interface the object's
 * class declares (or one such an interface extends) and a method signature of that interface; its
 * arguments are decoded as the method's declared parameter types only. A call is first
 * {@linkplain #prepare prepared} (resolved and decoded, cheap, on the instance's channel thread),
 * then {@linkplain #run run} on the instance's call thread, where it may block or be interrupted.
 * One call at a time.
 */
final class ServiceObject {
  /** A call's result: encoded value or error. */
  record Result(byte[] value, WireError error) {
    static Result ok(byte[] value) {
      return new Result(value, null);
    }

    static Result failed(WireError error) {
      return new Result(null, error);
    }
  }

  /**
   * A call resolved and decoded, ready to run, with the codec of its format; or why it cannot run.
   * A chunk has the argument arrays of its calls in {@code chunk} and no {@code args}.
   */
  record Prepared(MethodContract method, Object[] args, List<Object[]> chunk, Codec codec, WireError error) {
    /** True for a method marked {@link NonIdempotent}. */
    boolean nonIdempotent() {
      return method != null && method.method().isAnnotationPresent(NonIdempotent.class);
    }
  }

  private final Object target;
  private final Map<String, Class<?>> interfaces = new HashMap<>();

  ServiceObject(Object target) {
    this.target = target;
    collectInterfaces(target.getClass());
  }

  /** Builds an instance of {@code className} from its published state. */
  static ServiceObject instantiate(String className, byte[] state) throws ClassNotFoundException {
    Class<?> type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
    if (type.isInterface() || java.lang.reflect.Modifier.isAbstract(type.getModifiers())) {
      throw new IllegalArgumentException(className + " is not a concrete class");
    }
    return new ServiceObject(Codec.json().decodeState(state, type));
  }

  /**
   * Resolves the method the envelope of {@code call} names and decodes the arguments with {@code
   * codec}, the format the call came in (the result will be written in the same one): of one call,
   * or of a chunk of the calls its envelope counts.
   */
  Prepared prepare(Codec codec, CallMessage call) {
    CallEnvelope envelope = call.envelope();
    Class<?> contractType = interfaces.get(envelope.interfaceName());
    if (contractType == null) {
      return refused(ErrorCode.UNKNOWN_METHOD, target.getClass().getName() + " does not implement " + envelope.interfaceName());
    }
    try {
      MethodContract method = ServiceContract.of(contractType).method(envelope.signature()).orElse(null);
      if (method == null) {
        return refused(ErrorCode.UNKNOWN_METHOD, contractType.getSimpleName() + " has no method " + envelope.signature());
      }
      return envelope.chunk() == 0
          ? new Prepared(method, codec.decodeArguments(method, call), null, codec, null)
          : new Prepared(method, null, codec.decodeChunkArguments(method, call), codec, null);
    } catch (GridException e) {
      return refused(e.code(), e.getMessage());
    }
  }

  /**
   * Runs a prepared call to completion (for async methods, until their future completes). A result
   * whose encoding is larger than {@code maxResultBytes} (the worker's message limit) becomes a
   * {@link ErrorCode#BAD_REQUEST} naming both sizes: sent as it was, the broker could drop the reply
   * (RabbitMQ 4 refuses over 16 MiB by default, closing the channel) and the caller would wait out its
   * whole timeout.
   */
  Result run(Prepared call, int maxResultBytes) {
    Result result = call.chunk() != null ? runChunk(call) : runOne(call);
    if (result.value() == null || result.value().length <= maxResultBytes) {
      return result;
    }
    String what = call.chunk() != null ? "the results of a chunk of " + call.chunk().size() + " calls take " : "the result takes ";
    return Result.failed(WireError.of(ErrorCode.BAD_REQUEST, call.method().displayName() + ": " + what
        + result.value().length + " bytes encoded, more than the worker's limit of " + maxResultBytes
        + " (--max-message-bytes); it was not sent"));
  }

  private Result runOne(Prepared call) {
    MethodContract method = call.method();
    Codec.ItemResult outcome = invoke(method, call.args());
    if (outcome.error() != null) {
      return Result.failed(outcome.error());
    }
    try {
      return Result.ok(call.codec().encodeResult(method, outcome.value()));
    } catch (RuntimeException e) {
      return Result.failed(WireError.of(ErrorCode.BAD_REQUEST,
          method.displayName() + ": cannot encode the result: " + e.getMessage()));
    }
  }

  /**
   * Runs a chunk's calls in order, each with its own outcome (one call's exception does not stop the
   * others), and writes their results as one body. A cancel (interrupt) stops the chunk.
   */
  private Result runChunk(Prepared call) {
    MethodContract method = call.method();
    List<Codec.ItemResult> outcomes = new ArrayList<>(call.chunk().size());
    for (Object[] args : call.chunk()) {
      outcomes.add(invoke(method, args));
      if (Thread.currentThread().isInterrupted()) {
        return Result.failed(WireError.of(ErrorCode.CANCELLED, "a chunk of " + call.chunk().size() + " calls of "
            + method.displayName() + " was cancelled after " + outcomes.size()));
      }
    }
    return Result.ok(call.codec().encodeChunkResults(method, outcomes));
  }

  /** Invokes the method on the service object: its value, or the error it ended with. */
  private Codec.ItemResult invoke(MethodContract method, Object[] args) {
    try {
      Object value = method.method().invoke(target, args);
      if (method.async()) {
        value = value == null ? null : ((CompletableFuture<?>) value).get();
      }
      return Codec.ItemResult.ok(value);
    } catch (InvocationTargetException e) {
      return Codec.ItemResult.failed(WireError.thrown(e.getCause()));
    } catch (ExecutionException e) {
      return Codec.ItemResult.failed(WireError.thrown(e.getCause() != null ? e.getCause() : e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Codec.ItemResult.failed(WireError.of(ErrorCode.CANCELLED, method.displayName() + " was interrupted"));
    } catch (IllegalAccessException | IllegalArgumentException e) {
      return Codec.ItemResult.failed(WireError.of(ErrorCode.BAD_REQUEST, method.displayName() + ": " + e.getMessage()));
    }
  }

  /** The implementation's class name. */
  String implementation() {
    return target.getClass().getName();
  }

  private static Prepared refused(ErrorCode code, String message) {
    return new Prepared(null, null, null, null, WireError.of(code, message));
  }

  /**
   * The interfaces the class itself declares, with the ones they extend: what {@code Grid.publish}
   * checked and published. Not its base classes' interfaces: a base class that is {@code
   * AutoCloseable} or {@code Runnable} would otherwise let anyone on the broker call {@code close()}
   * or {@code run()} on the instance, though the service never offered them.
   */
  private void collectInterfaces(Class<?> type) {
    for (Class<?> contract : type.getInterfaces()) {
      addInterface(contract);
    }
  }

  private void addInterface(Class<?> contract) {
    if (interfaces.putIfAbsent(contract.getName(), contract) == null) {
      for (Class<?> parent : contract.getInterfaces()) {
        addInterface(parent);
      }
    }
  }
}
