package io.warren.grid.spi;

import io.warren.grid.ServiceId;
import io.warren.grid.ServiceInfo;
import io.warren.grid.WorkerInfo;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The client side of a transport: what {@link io.warren.grid.Grid} needs from a broker. Found through
 * {@link GridBackendProvider} and {@link java.util.ServiceLoader}.
 *
 * <p>Thread-safe. Every future it returns completes: with a value, a {@link
 * io.warren.grid.GridException}, or a typed timeout; {@link #close()} fails whatever is still
 * pending with {@link io.warren.grid.GridUnavailableException}. Futures may be completed on
 * transport threads, so callers must not block inside their callbacks; the blocking methods here
 * refuse such a thread at once ({@link #checkMayBlock}).
 */
public interface GridBackend extends AutoCloseable {

  /** The workers whose heartbeats are current, ordered by id. */
  List<WorkerInfo> workers();

  /**
   * Blocks until every worker in {@code workerIds} has reported itself up.
   *
   * @throws io.warren.grid.GridUnavailableException naming the missing workers after {@code timeout}
   */
  void awaitWorkers(Set<String> workerIds, Duration timeout) throws InterruptedException;

  /**
   * Asks these workers, through the broker, to drain and exit; returns once each acknowledged the
   * request or could not be reached. The graceful first step of stopping provisioned workers.
   */
  void shutdownWorkers(Set<String> workerIds);

  /** Creates the service's queue and its instances over the live workers; blocks until all are up. */
  ServiceInfo publish(PublishRequest request);

  /** What is known of a service: from this client's own publishes, or from worker heartbeats. */
  ServiceInfo describe(ServiceId service);

  /** Finds a named service on the broker; throws {@link io.warren.grid.UnknownServiceException}. */
  ServiceId lookup(String name);

  /**
   * Sends one call; the future completes with the encoded result. Cancelling the future cancels the
   * call: the worker skips it if it has not started.
   */
  CompletableFuture<byte[]> invoke(Invocation invocation);

  /**
   * Waits (in the broker's queue, FIFO) for a free instance of {@code service}. While the lease is
   * held the backend renews it every third of {@code leaseTtl}; if this client dies, the instance
   * frees itself once {@code leaseTtl} passes without a renewal.
   */
  CompletableFuture<LeaseGrant> acquire(ServiceId service, Duration timeout, Duration leaseTtl);

  /**
   * Releases a lease. A normal release travels behind the lease's earlier calls and takes effect
   * after the last of them; {@code immediate} frees the instance as soon as its current call ends
   * and fails the lease's queued calls with {@link io.warren.grid.LeaseReleasedException}.
   */
  CompletableFuture<Void> release(LeaseGrant lease, boolean immediate);

  /** Stops a service's instances and deletes its queues. Calls still waiting fail. */
  void terminate(ServiceId service);

  /**
   * Throws {@link IllegalStateException} naming {@code what} when the calling thread is one this
   * transport delivers replies or fires timeouts on: a call that blocks there could wait for a reply
   * only that thread can deliver. The grid calls it before every blocking step of its own (a
   * synchronous proxy call, {@code acquire}); the backend's own blocking methods call it too.
   * User code reaches such a thread only through a direct callback executor ({@code
   * Grid.Builder.callbackExecutor}). The default allows everything, for transports that never run
   * callers' code on their threads.
   *
   * @param what the blocking step, for the message (e.g. {@code "Tally.hit"}, {@code "publish"})
   */
  default void checkMayBlock(String what) {}

  /** Fails everything pending and closes the broker connection. Idempotent. */
  @Override
  void close();
}
