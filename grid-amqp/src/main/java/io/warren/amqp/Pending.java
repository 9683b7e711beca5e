package io.warren.amqp;

import io.warren.grid.ServiceId;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One request waiting for its reply. It is completed exactly once, by whichever comes first: the
 * reply, a return from the broker, its timeout, the loss of its worker, or the backend closing.
 *
 * @param <T> what the caller gets
 */
final class Pending<T> {
  /** What a request is, so failures can be routed to the right ones. */
  enum Kind { CALL, ACQUIRE, RELEASE, CONTROL }

  final String id;
  final Kind kind;
  final ServiceId service;
  /**
   * The worker the request is bound to: null for a shared-queue request until a worker reports
   * that it holds it (a long call acknowledged early), so that worker's death fails it.
   */
  volatile String workerId;
  /**
   * The instance whose instance queue the request went to, or that reported holding it (a long
   * call acknowledged early), or -1.
   */
  volatile int instance;
  /**
   * Set once the request has been handed to a channel: a request asked about later (see {@link
   * Protocol#T_IN_FLIGHT}) is certain to be ahead of the question on that channel.
   */
  volatile boolean sent;
  final CompletableFuture<T> future = new CompletableFuture<>();
  private final Function<Reply, T> decode;

  Pending(String id, Kind kind, ServiceId service, String workerId, Function<Reply, T> decode) {
    this(id, kind, service, workerId, -1, decode);
  }

  /** A request to instance {@code instance}'s own queue (a leased or targeted call, a release). */
  Pending(String id, Kind kind, ServiceId service, String workerId, int instance, Function<Reply, T> decode) {
    this.id = id;
    this.kind = kind;
    this.service = service;
    this.workerId = workerId;
    this.instance = instance;
    this.decode = decode;
  }

  /** Completes with the decoded reply; false if the request had already completed. */
  boolean accept(Reply reply) {
    T value;
    try {
      value = decode.apply(reply);
    } catch (RuntimeException e) {
      return future.completeExceptionally(e);
    }
    return future.complete(value);
  }

  /** Instance {@code number} of {@code worker} reported that it holds this request (-1: number unknown). */
  void bind(String worker, int number) {
    workerId = worker;
    instance = number;
  }

  /** True for a sent request to {@code workerId}'s instance {@code number} of {@code service}. */
  boolean sentTo(String worker, ServiceId ofService, int number) {
    return sent && instance == number && ofService.equals(service) && worker.equals(workerId);
  }

  /** The request as a caller would name it in an error: "call c1-42 to svc-a". */
  String describe() {
    String what = kind.name().toLowerCase(java.util.Locale.ROOT) + " " + id;
    return service == null ? what : what + " to " + service;
  }

  /** True for calls and acquires that go to a service's shared queue. */
  boolean isShared() {
    return workerId == null && (kind == Kind.CALL || kind == Kind.ACQUIRE);
  }
}
