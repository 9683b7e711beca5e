package io.warren.grid;

import io.warren.grid.internal.CallCapture;
import io.warren.grid.spi.GridBackend;
import io.warren.grid.spi.LeaseGrant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A sticky hold on one instance of a service: every call made through {@link #service()} runs on
 * that same instance, in the order the calls were made, and no other caller's work runs there until
 * the lease is released.
 *
 * <pre>{@code
 * try (Lease<Sampler> lease = grid.acquire(id, Sampler.class, Duration.ofMinutes(1))) {
 *   Sampler s = lease.service();
 *   s.setTemperature(1.5);                                    // state stays on this instance
 *   CompletableFuture<Stats> f = lease.async(x -> x.run(10_000));
 * } // released: takes effect after the last call made on the lease has finished
 * }</pre>
 *
 * <p>{@link #close()} does not wait: the release travels behind the lease's earlier calls, so it
 * takes effect once the last of them has finished; {@link #released()} completes then. Calls made
 * after {@code close()} fail with {@link LeaseReleasedException}. If the instance's worker dies,
 * pending and later calls fail with {@link LostInstanceException}; acquire a new lease to go on.
 *
 * <p>Thread-safe: the service proxy may be shared between threads (calls are still run one at a
 * time, in arrival order).
 *
 * @param <T> the service interface
 */
public final class Lease<T> implements AutoCloseable {
  private enum State { HELD, RELEASING }

  private final LeaseGrant grant;
  private final Class<T> type;
  private final GridBackend backend;
  private final Executor callbacks;
  private final AtomicReference<State> state = new AtomicReference<>(State.HELD);
  private final CompletableFuture<Void> released = new CompletableFuture<>();
  private T service;

  Lease(LeaseGrant grant, Class<T> type, GridBackend backend, Executor callbacks) {
    this.grant = grant;
    this.type = type;
    this.backend = backend;
    this.callbacks = callbacks;
  }

  /** Set once by the grid right after construction (the proxy's gate needs this lease). */
  void bind(T proxy) {
    this.service = proxy;
  }

  /** A proxy whose every call runs on the leased instance. */
  public T service() {
    return service;
  }

  /**
   * Calls a method of the leased instance without waiting: {@code lease.async(s -> s.run(10))}. The
   * lambda must make exactly one call on its argument.
   */
  public <R> CompletableFuture<R> async(Function<? super T, ? extends R> call) {
    return CallCapture.async(() -> call.apply(service));
  }

  /** Like {@link #async(Function)} for void methods. */
  public CompletableFuture<Void> runAsync(Consumer<? super T> call) {
    return CallCapture.async(() -> {
      call.accept(service);
      return null;
    });
  }

  /** The service interface this lease's proxy implements. */
  public Class<T> type() {
    return type;
  }

  /** The lease's unique id. */
  public String id() {
    return grant.leaseId();
  }

  /** The leased service. */
  public ServiceId serviceId() {
    return grant.service();
  }

  /** The number of the instance this lease holds. */
  public int instance() {
    return grant.instance();
  }

  /** The worker hosting the leased instance. */
  public String workerId() {
    return grant.workerId();
  }

  /** True until {@link #close()} or {@link #releaseNow()} was called. */
  public boolean isHeld() {
    return state.get() == State.HELD;
  }

  /**
   * Completes when the instance is free again (or its worker is gone), on the grid's callback
   * executor like every result, so a callback chained to it may block (unless the grid was given a
   * direct one: {@link Grid.Builder#callbackExecutor}).
   */
  public CompletableFuture<Void> released() {
    return released;
  }

  /** Releases after the last call made on this lease finishes. Does not block; idempotent. */
  @Override
  public void close() {
    release(false);
  }

  /**
   * Releases at once: the running call (if any) finishes, calls still queued on the lease fail with
   * {@link LeaseReleasedException}, and the instance is free for others right away.
   */
  public CompletableFuture<Void> releaseNow() {
    return release(true);
  }

  private CompletableFuture<Void> release(boolean immediate) {
    if (state.compareAndSet(State.HELD, State.RELEASING)) {
      backend.release(grant, immediate).whenCompleteAsync((ok, failure) -> released.complete(null), callbacks);
    }
    return released;
  }

  /** Refuses calls once the lease is released. */
  void checkHeld() {
    if (state.get() != State.HELD) {
      throw new LeaseReleasedException("lease " + grant.leaseId() + " on " + grant.service() + " was released");
    }
  }

  @Override
  public String toString() {
    return "Lease[" + grant.leaseId() + " on " + grant.service() + "#" + grant.instance() + " @" + grant.workerId() + "]";
  }
}
