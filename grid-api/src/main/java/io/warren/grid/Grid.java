package io.warren.grid;

import static java.util.Objects.requireNonNull;

import io.warren.grid.internal.BoundedMap;
import io.warren.grid.internal.CallerRunsWhenRefused;
import io.warren.grid.internal.CallCapture;
import io.warren.grid.internal.CallEncoding;
import io.warren.grid.internal.CallbackPool;
import io.warren.grid.internal.ChunkedCalls;
import io.warren.grid.internal.Futures;
import io.warren.grid.internal.ServiceProxy;
import io.warren.grid.spi.BrokerEndpoint;
import io.warren.grid.spi.CallTarget;
import io.warren.grid.spi.Codec;
import io.warren.grid.spi.Durations;
import io.warren.grid.spi.GridBackend;
import io.warren.grid.spi.GridBackendProvider;
import io.warren.grid.spi.LeaseGrant;
import io.warren.grid.spi.ProvisionedWorkers;
import io.warren.grid.spi.Provisioner;
import io.warren.grid.spi.PublishRequest;
import io.warren.grid.spi.ServiceContract;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A connection to a Warren grid: publish service objects to worker instances, then call them
 * through typed proxies, statelessly (the broker picks a free instance) or through a sticky {@link
 * Lease}.
 *
 * <pre>{@code
 * try (Grid grid = Grid.builder()
 *         .broker(URI.create("amqp://broker:5672/"))
 *         .credentials("grid", secret)
 *         .workers(LocalWorkers.builder().count(2).slots(2).build())  // or an SSH farm
 *         .build()) {
 *   ServiceId id = grid.publish(new Sampler(params));           // one instance per slot
 *   Sampler any = grid.proxy(id, Sampler.class);                 // stateless calls
 *   try (Lease<Sampler> lease = grid.acquire(id, Sampler.class, Duration.ofMinutes(1))) {
 *     lease.service().setTemperature(1.5);                       // sticky: one instance
 *     CompletableFuture<Stats> f = lease.async(s -> s.run(10_000));
 *   }
 * }
 * }</pre>
 *
 * <p>A published object's state (all its fields, written as JSON) is copied to every instance, and
 * each instance builds its own object of the same class from it, so the class must be on the
 * workers' class path. An instance runs its calls one at a time.
 *
 * <p>Thread-safe. Every future completes: with a value, a {@link GridException} subtype, or a typed
 * timeout. {@link #close()} terminates the services this grid published, stops the workers it
 * started and fails anything still pending.
 */
public final class Grid implements AutoCloseable {
  private final GridBackend backend;
  private final ProvisionedWorkers workers;
  private final Duration callTimeout;
  private final int prefetch;
  private final boolean replicated;
  private final Duration leaseTtl;
  private final CallEncoding encoding;
  private final Executor callbacks;
  /** The grid's own callback pool, shut down by {@link #close()}; null when the caller gave an executor. */
  private final ExecutorService ownCallbacks;
  private final Set<ServiceId> published = ConcurrentHashMap.newKeySet();
  private final JobJournal journal;

  private Grid(Builder builder, GridBackend backend, ProvisionedWorkers workers, ExecutorService ownCallbacks) {
    this.backend = backend;
    this.workers = workers;
    this.callTimeout = builder.callTimeout;
    this.prefetch = builder.prefetch;
    this.replicated = builder.replicated != null ? builder.replicated : !builder.alternates.isEmpty();
    this.leaseTtl = builder.leaseTtl;
    this.encoding = new CallEncoding(Codec.of(builder.wireFormat), builder.maxMessageBytes);
    this.journal = builder.journal;
    this.ownCallbacks = ownCallbacks;
    this.callbacks = new CallerRunsWhenRefused(builder.callbackExecutor != null ? builder.callbackExecutor : ownCallbacks);
  }

  /** A builder; {@link Builder#broker(URI)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Publishes {@code service} with one instance per worker slot and a generated id. */
  public ServiceId publish(Object service) {
    return publish(service, PublishOptions.defaults());
  }

  /**
   * Publishes {@code service}: copies its state to new instances on the live workers and blocks
   * until every instance consumes its queue.
   *
   * @throws InvalidServiceInterfaceException if the object implements no usable service interface
   *     or its state cannot be serialized
   * @throws PublishFailedException if a worker could not build its instance (none is left behind)
   */
  public ServiceId publish(Object service, PublishOptions options) {
    requireNonNull(service, "service == null");
    requireNonNull(options, "options == null");
    Class<?> type = service.getClass();
    if (type.isAnonymousClass() || type.isLocalClass() || type.isSynthetic()
        || (type.isMemberClass() && !Modifier.isStatic(type.getModifiers()))) {
      throw new InvalidServiceInterfaceException(
          type.getName() + ": a service must be a top-level or static nested class that workers can instantiate");
    }
    if (type.getInterfaces().length == 0) {
      throw new InvalidServiceInterfaceException(type.getName() + ": a service must implement a service interface");
    }
    for (Class<?> contract : type.getInterfaces()) {
      ServiceContract.of(contract); // reject bad interfaces here, not at the first call
    }
    byte[] state = Codec.json().encodeState(service);
    ServiceInfo info = backend.publish(new PublishRequest(options.name(), type.getName(), state, options.instances(), prefetch, replicated));
    published.add(info.id());
    return info.id();
  }

  /** The id of the service published under {@code name} by any client. */
  public ServiceId lookup(String name) {
    return backend.lookup(requireNonNull(name, "name == null"));
  }

  /** What is known of a service: its instances and where they run. */
  public ServiceInfo describe(ServiceId service) {
    return backend.describe(requireNonNull(service, "service == null"));
  }

  /** The live workers, from their heartbeats. */
  public List<WorkerInfo> workers() {
    return backend.workers();
  }

  /**
   * Asks these workers, through the broker, to drain and exit — also workers this grid did not
   * start, as {@code warren down} does for a farm started by {@code warren up}. Returns once each
   * acknowledged or could not be reached.
   */
  public void shutdownWorkers(Set<String> workerIds) {
    backend.shutdownWorkers(Set.copyOf(workerIds));
  }

  /** A stateless proxy: each call runs on whichever instance is free, with the grid's call timeout. */
  public <T> T proxy(ServiceId service, Class<T> type) {
    return proxy(service, type, callTimeout);
  }

  /** A stateless proxy whose calls time out after {@code timeout}. */
  public <T> T proxy(ServiceId service, Class<T> type, Duration timeout) {
    requireNonNull(service, "service == null");
    requireNonNull(type, "type == null");
    return ServiceProxy.create(type, new CallTarget.AnyInstance(service), backend, Durations.positive(timeout, "timeout"),
        callbacks, () -> {}, encoding);
  }

  /**
   * Leases one instance, waiting up to {@code timeout} for one to be free.
   *
   * @throws AcquireTimeoutException if none became free in time (no instance stays held)
   */
  public <T> Lease<T> acquire(ServiceId service, Class<T> type, Duration timeout) {
    backend.checkMayBlock("acquire");
    return Futures.await(acquireAsync(service, type, timeout));
  }

  /**
   * Leases one instance without blocking. The future completes on the grid's callback executor (by
   * default its pool, never a transport thread), so a callback chained to it may call the lease's
   * service synchronously unless the executor is a direct one ({@link Builder#callbackExecutor}).
   * Cancelling the future gives up the wait; a grant that arrives after that is released at once.
   */
  public <T> CompletableFuture<Lease<T>> acquireAsync(ServiceId service, Class<T> type, Duration timeout) {
    requireNonNull(service, "service == null");
    ServiceContract.of(requireNonNull(type, "type == null"));
    CompletableFuture<LeaseGrant> grant = backend.acquire(service, Durations.positive(timeout, "timeout"), leaseTtl);
    CompletableFuture<Lease<T>> lease = new CompletableFuture<>();
    grant.whenCompleteAsync((granted, failure) -> {
      if (failure != null) {
        lease.completeExceptionally(failure);
        return;
      }
      Lease<T> held = new Lease<>(granted, type, backend, callbacks);
      held.bind(ServiceProxy.create(type, new CallTarget.Leased(granted), backend, callTimeout, callbacks, held::checkHeld,
          encoding));
      if (!lease.complete(held)) {
        held.close(); // the caller cancelled while the grant was on its way
      }
    }, callbacks);
    return Futures.cancelPropagatesTo(lease, grant);
  }

  /**
   * Leases an instance of the same service again, e.g. after {@code previous} failed with {@link
   * LostInstanceException}. {@code previous} is released first if it is still held. The new lease
   * starts from the instance's own state, not the lost one's.
   */
  public <T> Lease<T> reacquire(Lease<T> previous, Duration timeout) {
    requireNonNull(previous, "previous == null");
    previous.close();
    return acquire(previous.serviceId(), previous.type(), timeout);
  }

  /**
   * Calls a method of a stateless proxy without waiting: {@code Grid.async(any, s -> s.run(10))}.
   * The lambda must make exactly one call on its argument. Cancelling the future cancels the call.
   */
  public static <T, R> CompletableFuture<R> async(T proxy, Function<? super T, ? extends R> call) {
    return CallCapture.async(() -> call.apply(proxy));
  }

  /** Like {@link #async(Object, Function)} for void methods. */
  public static <T> CompletableFuture<Void> runAsync(T proxy, Consumer<? super T> call) {
    return CallCapture.async(() -> {
      call.accept(proxy);
      return null;
    });
  }

  /**
   * Calls {@code call(proxy, item)} for every item in one message, a chunk: one instance runs the
   * calls one after another, in order, and sends their results back together, so the broker handles
   * one request and one reply instead of one of each per call. Each item gets its own future, with
   * its own value or error. Use it for many short calls; the calls of a chunk do not spread over
   * instances, and the proxy's timeout covers the whole chunk.
   *
   * <pre>{@code
   * List<CompletableFuture<Double>> energies = Grid.asyncChunk(any, temperatures, (s, t) -> s.energy(t));
   * }</pre>
   *
   * <p>Each lambda must make exactly one call on {@code proxy}. Consecutive items that call the
   * same method share a chunk; a lambda calling another method starts a new one. Cancelling every
   * future of a chunk cancels the chunk.
   *
   * @throws IllegalArgumentException if a lambda does not make exactly one proxy call (nothing is sent)
   */
  public static <T, A, R> List<CompletableFuture<R>> asyncChunk(
      T proxy, List<A> items, BiFunction<? super T, ? super A, ? extends R> call) {
    requireNonNull(proxy, "proxy == null");
    return ChunkedCalls.send(proxy, List.copyOf(items), call);
  }

  /** Makes the same call on every instance of {@code service} (leased or not), one future each. */
  public <T, R> List<CompletableFuture<R>> broadcast(ServiceId service, Class<T> type, Function<? super T, ? extends R> call) {
    return broadcast(service, type, describe(service).instances(), call);
  }

  private <T, R> List<CompletableFuture<R>> broadcast(
      ServiceId service, Class<T> type, List<InstanceInfo> instances, Function<? super T, ? extends R> call) {
    List<CompletableFuture<R>> results = new ArrayList<>();
    for (InstanceInfo instance : instances) {
      results.add(async(instanceProxy(service, type, instance.number()), call));
    }
    return results;
  }

  /**
   * Sends {@code args.get(i)} to instance {@code i}: one argument per instance.
   *
   * @throws IllegalArgumentException if there are not exactly as many arguments as instances
   */
  public <T, A, R> List<CompletableFuture<R>> scatter(
      ServiceId service, Class<T> type, List<A> args, BiFunction<? super T, ? super A, ? extends R> call) {
    return scatter(service, type, describe(service).instances(), args, call);
  }

  private <T, A, R> List<CompletableFuture<R>> scatter(ServiceId service, Class<T> type, List<InstanceInfo> instances,
      List<A> args, BiFunction<? super T, ? super A, ? extends R> call) {
    if (args.size() != instances.size()) {
      throw new IllegalArgumentException(
          "scatter needs one argument per instance: " + service + " has " + instances.size() + ", got " + args.size());
    }
    List<CompletableFuture<R>> results = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      A arg = args.get(i);
      results.add(async(instanceProxy(service, type, instances.get(i).number()), p -> call.apply(p, arg)));
    }
    return results;
  }

  /**
   * Waits for all {@code futures} and reports each one's {@link Outcome}, in order; a failure does
   * not cut the others short (Zenoss's DeferredList, not fail-fast).
   */
  public static <R> CompletableFuture<List<Outcome<R>>> gather(List<? extends CompletableFuture<? extends R>> futures) {
    List<CompletableFuture<? extends R>> copy = List.copyOf(futures);
    return BoundedMap.run(copy, Math.max(1, copy.size()), f -> f.thenApply(v -> (R) v));
  }

  /**
   * Calls {@code call(proxy, item)} for every item with at most {@code maxInFlight} calls
   * outstanding, and reports each item's outcome in order.
   */
  public static <T, A, R> CompletableFuture<List<Outcome<R>>> map(
      T proxy, List<A> items, int maxInFlight, BiFunction<? super T, ? super A, ? extends R> call) {
    return map(proxy, items, maxInFlight, 1, call);
  }

  /**
   * Like {@link #map(Object, List, int, BiFunction)}, with the items sent {@code chunkSize} to a
   * message ({@link #asyncChunk}) and at most {@code maxInFlight} chunks outstanding: for long lists
   * of short calls, where one message per call would make the broker the bottleneck (the chunksize
   * of Python's {@code Pool.map}).
   */
  public static <T, A, R> CompletableFuture<List<Outcome<R>>> map(
      T proxy, List<A> items, int maxInFlight, int chunkSize, BiFunction<? super T, ? super A, ? extends R> call) {
    requireNonNull(proxy, "proxy == null");
    return gather(ChunkedCalls.map(proxy, items, chunkSize, maxInFlight, call));
  }

  /**
   * Tracks {@code calls} (one per item, labelled for people) as a {@link Job}, recorded in the
   * grid's {@link Builder#journal journal} if it has one.
   */
  public <R> Job<R> track(String kind, List<String> labels, List<? extends CompletableFuture<? extends R>> calls) {
    return Job.track(kind, labels, calls, journal == null ? null : journal::record);
  }

  /** {@link #broadcast} as a tracked job; items are labelled {@code instance N}. */
  public <T, R> Job<R> broadcastJob(ServiceId service, Class<T> type, Function<? super T, ? extends R> call) {
    // One reading of the instances for both labels and calls: read twice, a change in between made
    // the counts differ and track() throw after the calls had gone out, their futures lost.
    List<InstanceInfo> instances = describe(service).instances();
    List<String> labels = instances.stream().map(i -> "instance " + i.number()).toList();
    return track("broadcast", labels, broadcast(service, type, instances, call));
  }

  /** {@link #scatter} as a tracked job; items are labelled {@code instance N: argument}. */
  public <T, A, R> Job<R> scatterJob(
      ServiceId service, Class<T> type, List<A> args, BiFunction<? super T, ? super A, ? extends R> call) {
    List<InstanceInfo> instances = describe(service).instances(); // once, as in broadcastJob
    List<CompletableFuture<R>> calls = scatter(service, type, instances, args, call);
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      labels.add("instance " + instances.get(i).number() + ": " + args.get(i));
    }
    return track("scatter", labels, calls);
  }

  /** {@link #map} as a tracked job; items are labelled with the item itself. */
  public <T, A, R> Job<R> mapJob(T proxy, List<A> items, int maxInFlight, BiFunction<? super T, ? super A, ? extends R> call) {
    return mapJob(proxy, items, maxInFlight, 1, call);
  }

  /** {@link #map(Object, List, int, int, BiFunction)} (chunks of {@code chunkSize}) as a tracked job. */
  public <T, A, R> Job<R> mapJob(
      T proxy, List<A> items, int maxInFlight, int chunkSize, BiFunction<? super T, ? super A, ? extends R> call) {
    requireNonNull(proxy, "proxy == null");
    List<CompletableFuture<R>> calls = ChunkedCalls.map(proxy, items, chunkSize, maxInFlight, call);
    return track("map", items.stream().map(String::valueOf).toList(), calls);
  }

  /** Stops a service's instances and deletes its queues; calls still waiting fail. */
  public void terminate(ServiceId service) {
    backend.terminate(requireNonNull(service, "service == null"));
    published.remove(service);
  }

  /**
   * Terminates the services this grid published, stops the workers it started (they drain first)
   * and closes the broker connection. Idempotent.
   *
   * @throws IllegalStateException when called from a callback on a transport thread (a direct
   *     {@link Builder#callbackExecutor}), before anything is closed
   */
  @Override
  public void close() {
    backend.checkMayBlock("close");
    try {
      for (ServiceId service : List.copyOf(published)) {
        try {
          terminate(service);
        } catch (GridException e) {
          // Keep closing: one unreachable worker must not leave the rest running.
        }
      }
    } finally {
      try {
        if (workers != null) {
          try {
            backend.shutdownWorkers(workers.workerIds()); // graceful, through the broker
          } catch (GridException e) {
            // the broker is gone: the provisioner stops them its own way
          }
          workers.close();
        }
      } finally {
        backend.close();
        if (ownCallbacks != null) {
          ownCallbacks.shutdown();
        }
      }
    }
  }

  private <T> T instanceProxy(ServiceId service, Class<T> type, int number) {
    return ServiceProxy.create(type, new CallTarget.OneInstance(service, number), backend, callTimeout, callbacks,
        () -> {}, encoding);
  }

  /** Builds a {@link Grid}. Not thread-safe. */
  public static final class Builder {
    /**
     * The largest message RabbitMQ accepts at any setting of its {@code max_message_size}, 512 MiB:
     * the most {@link #maxMessageBytes} allows, and what a transport must be able to receive.
     */
    public static final int LARGEST_MESSAGE_BYTES = 512 * 1024 * 1024;
    private URI broker;
    private String username;
    private String password;
    private Provisioner provisioner;
    private Duration startupTimeout = Duration.ofSeconds(60);
    private Duration callTimeout = Duration.ofMinutes(10);
    private int prefetch = 1;
    private List<URI> alternates = List.of();
    private Boolean replicated;
    private Duration leaseTtl = Duration.ofSeconds(30);
    private int maxMessageBytes = 16 * 1024 * 1024;
    private WireFormat wireFormat = WireFormat.JSON;
    private JobJournal journal;
    private Executor callbackExecutor;

    private Builder() {}

    /**
     * Where async results complete and the callbacks chained to them run. Default: the grid's own
     * pool ({@code warren-callback-N} threads, shut down by {@link Grid#close()}), on which a
     * callback may block, even on another grid call. An executor given here stays the caller's: the
     * grid never shuts it down. A result the executor refuses to take (shut down, or a bounded queue
     * that is full) completes on the thread that delivered it instead, so no future is left pending.
     *
     * <p>{@code Runnable::run} (a direct executor, as gRPC's {@code directExecutor()}) completes
     * results on the transport's own threads, where the replies arrive: it saves a thread hand-off per
     * result (2-7% of the pipelined rate at prefetch 1 on 2 cores, docs/benchmarks.md item 52),
     * and its callbacks must never block. A blocking grid call made from one, on this grid or
     * another (a synchronous proxy call, {@code acquire}, {@code publish}, {@code lookup}, {@code
     * terminate}, {@code shutdownWorkers}, {@code close}), fails at once with {@link
     * IllegalStateException} naming the step: it could wait for a reply only its own thread delivers,
     * and would hold up the replies that thread delivers in any case. Waiting on anything else there
     * (a grid future's {@code join} included) holds up every reply of this grid meanwhile.
     *
     * <pre>{@code
     * Grid grid = Grid.builder().broker(uri).callbackExecutor(Runnable::run).build();
     * Grid.async(proxy, p -> p.hit(1)).thenAccept(results::add); // runs where the reply arrived
     * }</pre>
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = requireNonNull(executor, "executor == null");
      return this;
    }

    /** Records every tracked {@link Job} in {@code journal}, so its results outlive this client. */
    public Builder journal(JobJournal journal) {
      this.journal = requireNonNull(journal, "journal == null");
      return this;
    }

    /**
     * How long a leased instance stays held if this client dies; default 30 s. The grid renews its
     * leases every third of this, so it only matters when the client stops renewing.
     */
    public Builder leaseTtl(Duration ttl) {
      this.leaseTtl = Durations.positive(ttl, "leaseTtl");
      return this;
    }

    /**
     * Calls whose encoded message (the call's envelope and arguments, or a chunk's) is larger are refused
     * before they are sent; default 16 MiB, at most 512 MiB (the most any RabbitMQ accepts). Keep this
     * at or under the broker's {@code max_message_size}: 16 MiB by default on RabbitMQ 4, 128 MiB on
     * 3.x. A call the broker refuses for its size fails with {@link BadRequestException} naming the broker's
     * limit, and so do later calls over it, before they are sent; the broker also drops the calls
     * sent just behind the refused one on its channel, which fail with {@link
     * GridUnavailableException} saying they did not run.
     *
     * @throws IllegalArgumentException when {@code bytes} is below 1 or above 512 MiB
     */
    public Builder maxMessageBytes(int bytes) {
      if (bytes < 1 || bytes > LARGEST_MESSAGE_BYTES) {
        throw new IllegalArgumentException("maxMessageBytes must be in 1.." + LARGEST_MESSAGE_BYTES
            + " (512 MiB, the most an AMQP broker such as RabbitMQ accepts), was " + bytes);
      }
      this.maxMessageBytes = bytes;
      return this;
    }

    /**
     * How call arguments and results travel; default {@link WireFormat#JSON}. {@link WireFormat#CBOR}
     * is binary: a {@code byte[]} travels as it is instead of as base64. Workers read both, so grids
     * with different formats can share them.
     */
    public Builder wireFormat(WireFormat format) {
      this.wireFormat = requireNonNull(format, "wireFormat == null");
      return this;
    }

    /** The broker, {@code amqp://host:port/vhost}; credentials in the URI are accepted. */
    public Builder broker(URI broker) {
      this.broker = requireNonNull(broker, "broker == null");
      return this;
    }

    /**
     * A clustered broker: the preferred node first, then the others, tried in order on every
     * (re)connect. Unless set otherwise, service queues are then replicated (RabbitMQ quorum
     * queues), so a call survives the loss of a node. Credentials in the URIs are not accepted;
     * use {@link #credentials}.
     */
    public Builder brokers(List<URI> nodes) {
      if (nodes.isEmpty()) {
        throw new IllegalArgumentException("brokers needs at least one uri");
      }
      this.broker = requireNonNull(nodes.get(0), "brokers[0] == null");
      this.alternates = List.copyOf(nodes.subList(1, nodes.size()));
      return this;
    }

    /**
     * Whether service queues are replicated across the broker's cluster nodes (RabbitMQ quorum
     * queues): calls then survive a node's loss, at some cost per call. Default: true when
     * {@link #brokers} names several nodes. Brokers without quorum queues (the embedded Qpid)
     * refuse it at publish time with {@link PublishFailedException}.
     */
    public Builder replicatedServiceQueues(boolean replicated) {
      this.replicated = replicated;
      return this;
    }

    /** The broker credentials (override any in the URI). */
    public Builder credentials(String username, String password) {
      this.username = requireNonNull(username, "username == null");
      this.password = requireNonNull(password, "password == null");
      return this;
    }

    /** Workers to start for this grid (stopped on close). Without it the grid uses a running farm. */
    public Builder workers(Provisioner provisioner) {
      this.provisioner = requireNonNull(provisioner, "provisioner == null");
      return this;
    }

    /** How long {@code build()} waits for started workers to report; default 60 s. */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = Durations.positive(timeout, "startupTimeout");
      return this;
    }

    /**
     * The default per-call timeout; default 10 minutes. It bounds calls to a worker that is alive
     * but never answers; a dead worker is detected from its missing heartbeats much sooner.
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = Durations.positive(timeout, "callTimeout");
      return this;
    }

    /**
     * How many shared-queue calls an instance may take before finishing the one it runs; default 1,
     * the fairest: only a free instance takes work. Higher values trade fairness for throughput.
     */
    public Builder prefetch(int prefetch) {
      if (prefetch < 1) {
        throw new IllegalArgumentException("prefetch must be >= 1, was " + prefetch);
      }
      this.prefetch = prefetch;
      return this;
    }

    /**
     * Connects, starts the workers (if any were given) and waits for their heartbeats.
     *
     * @throws GridUnavailableException if the broker cannot be reached or the workers did not come up
     */
    public Grid build() {
      if (broker == null) {
        throw new IllegalStateException("broker(URI) is required");
      }
      BrokerEndpoint endpoint = BrokerEndpoint.parse(broker).withAlternates(alternates);
      if (username != null) {
        endpoint = endpoint.withCredentials(username, password);
      }
      GridBackend backend = provider(broker.getScheme()).open(endpoint);
      ProvisionedWorkers started = null;
      try {
        if (provisioner != null) {
          started = provisioner.start(endpoint);
          awaitWorkers(backend, started);
        }
        return new Grid(this, backend, started, callbackExecutor == null ? CallbackPool.create() : null);
      } catch (RuntimeException | Error e) {
        if (started != null) {
          started.close();
        }
        backend.close();
        throw e;
      }
    }

    private void awaitWorkers(GridBackend backend, ProvisionedWorkers started) {
      long deadline = System.nanoTime() + startupTimeout.toNanos();
      boolean askedProvisioner = false;
      // Wait in short slices so a worker that died at start-up is reported at once, with its log.
      while (true) {
        Optional<GridException> failure = started.failure();
        if (failure.isPresent()) {
          throw failure.get();
        }
        long left = deadline - System.nanoTime();
        Duration slice = Duration.ofNanos(Math.max(1, Math.min(left, Duration.ofMillis(250).toNanos())));
        try {
          backend.awaitWorkers(started.workerIds(), slice);
          return;
        } catch (GridUnavailableException e) {
          if (System.nanoTime() - deadline >= 0) {
            if (askedProvisioner) {
              throw e;
            }
            // Let the provisioner decide: name the silent workers in its error, or go on without them.
            askedProvisioner = true;
            Set<String> silent = new HashSet<>(started.workerIds());
            backend.workers().forEach(w -> silent.remove(w.id()));
            started.notReady(silent);
            deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new GridUnavailableException("interrupted while waiting for workers", e);
        }
      }
    }

    private static GridBackendProvider provider(String scheme) {
      for (GridBackendProvider provider : ServiceLoader.load(GridBackendProvider.class)) {
        if (provider.supports(scheme)) {
          return provider;
        }
      }
      throw new IllegalStateException(
          "no transport for broker scheme '" + scheme + "': put io.warren:grid-amqp on the class path");
    }
  }
}
