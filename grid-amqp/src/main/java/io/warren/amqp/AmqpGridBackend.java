package io.warren.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.grid.AcquireTimeoutException;
import io.warren.grid.BadRequestException;
import io.warren.grid.CallTimeoutException;
import io.warren.grid.GridException;
import io.warren.grid.GridUnavailableException;
import io.warren.grid.InstanceInfo;
import io.warren.grid.LostInstanceException;
import io.warren.grid.NoInstanceException;
import io.warren.grid.PublishFailedException;
import io.warren.grid.ServiceId;
import io.warren.grid.ServiceInfo;
import io.warren.grid.UnknownServiceException;
import io.warren.grid.WireFormat;
import io.warren.grid.WorkerInfo;
import io.warren.grid.spi.BrokerEndpoint;
import io.warren.grid.spi.CallTarget;
import io.warren.grid.spi.Codec;
import io.warren.grid.spi.GridBackend;
import io.warren.grid.spi.Invocation;
import io.warren.grid.spi.LeaseGrant;
import io.warren.grid.spi.PublishRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AMQP client engine: one connection, one exclusive reply queue, one heartbeat queue, pooled
 * publishing channels. See docs/protocol.md for the messages it sends and the failures it handles.
 *
 * <p>When the broker connection drops, every pending request fails at once with {@link
 * GridUnavailableException}, leases held across the outage are marked lost (their instance queues
 * went with the workers' connections), and a background loop reconnects with backoff; new requests
 * fail fast until it has.
 */
final class AmqpGridBackend implements GridBackend {
  private static final Logger log = LoggerFactory.getLogger(AmqpGridBackend.class);
  /** How long control commands (host, terminate, release-now) may take on a worker. */
  static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(30);
  /** Bound on waiting for a normal release, which queues behind the lease's own calls. */
  static final Duration RELEASE_TIMEOUT = Duration.ofHours(1);
  /**
   * How long the calls bound to a worker that said it is DOWN wait for its last replies before they
   * fail (see {@link #onWorkerLost}): ample for a reply already published, a short wait for a call
   * that has no instance left.
   */
  static final Duration DOWN_SETTLE = Duration.ofSeconds(1);

  private final ClientLink link;
  private final String clientId = UUID.randomUUID().toString().substring(0, 8);
  private final AtomicLong sequence = new AtomicLong();
  private final ScheduledExecutorService scheduler;
  private final PendingRequests pending;
  private final WorkerDirectory directory;
  private final PublishedServices published = new PublishedServices();
  private final Set<String> lostWorkers = ConcurrentHashMap.newKeySet();
  private final LeaseRenewals leases;
  /** The broker's {@code max_message_size}, once a refusal has named it; reset on each new connection. */
  private volatile long brokerMaxBytes = Long.MAX_VALUE;

  private AmqpGridBackend(BrokerEndpoint broker) {
    // Every call schedules a timeout that its reply cancels: cancelled timers must leave the queue.
    this.scheduler = Timers.daemon("warren-client-timers-" + clientId);
    this.pending = new PendingRequests(scheduler);
    this.leases = new LeaseRenewals(scheduler);
    this.directory = new WorkerDirectory(this::onWorkerLost);
    try {
      this.link = ClientLink.open(broker, scheduler, this::setUp, this::onConnectionLost);
    } catch (RuntimeException e) {
      scheduler.shutdownNow();
      throw e;
    }
    scheduler.scheduleWithFixedDelay(() -> survive(() -> "worker sweep", directory::sweep), 100, 100, TimeUnit.MILLISECONDS);
  }

  /** Declares the client's queues on a fresh connection and starts consuming. */
  private ClientLink.Current setUp(Connection connection) throws IOException {
    brokerMaxBytes = Long.MAX_VALUE; // a new connection may reach a node configured otherwise
    ChannelPool publishers = new ChannelPool(connection, (code, text, exchange, key, props, body) -> onReturned(key, props),
        (refusal, carried) -> survive(() -> "channel refusal " + refusal.replyText(), () -> onRefused(refusal, carried)));
    Channel replies = connection.createChannel();
    String replyQueue = replies.queueDeclare().getQueue(); // server-named, exclusive, auto-delete
    replies.basicConsume(replyQueue, true, new DefaultConsumer(replies) {
      @Override
      public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        survive(() -> "reply " + props.getCorrelationId(), () -> onReply(new Reply(props, body)));
      }
    });

    Channel events = connection.createChannel();
    events.exchangeDeclare(Protocol.EVENTS_EXCHANGE, BuiltinExchangeType.TOPIC, true);
    String eventQueue = events.queueDeclare().getQueue();
    events.queueBind(eventQueue, Protocol.EVENTS_EXCHANGE, Protocol.HEARTBEAT_KEY_PREFIX + "#");
    events.basicConsume(eventQueue, true, new DefaultConsumer(events) {
      @Override
      public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        survive(() -> "heartbeat", () -> onHeartbeat(body));
      }
    });
    return new ClientLink.Current(connection, publishers, replyQueue);
  }

  /**
   * Runs one message's handling (or one timer tick) so that a failure in it is logged and ends
   * there. amqp-client closes the channel of a consumer that throws, and a periodic task that
   * throws is never run again: either would leave the client deaf to every later reply or heartbeat
   * while its connection looks healthy. {@code what} names it only when it failed: no text is built
   * for every reply.
   */
  private static void survive(java.util.function.Supplier<String> what, Runnable handling) {
    try {
      handling.run();
    } catch (RuntimeException e) {
      log.error("ignoring {}: its handling failed", what.get(), e);
    }
  }

  /** Connects and sets up the client's queues. */
  static AmqpGridBackend open(BrokerEndpoint broker) {
    return new AmqpGridBackend(broker);
  }

  @Override
  public List<WorkerInfo> workers() {
    return directory.workers();
  }

  @Override
  public void awaitWorkers(Set<String> workerIds, Duration timeout) throws InterruptedException {
    checkMayBlock("awaitWorkers");
    directory.awaitUp(workerIds, timeout);
  }

  // ---- calls -------------------------------------------------------------------------------

  @Override
  public CompletableFuture<byte[]> invoke(Invocation invocation) {
    CallTarget target = invocation.target();
    ServiceId service = target.service();
    String queue;
    String workerId = null;
    int instance = -1;
    // The call's interface, method, deadline and lease travel in the body (CallEnvelope), so it has no headers.
    if (target instanceof CallTarget.Leased leased) {
      LeaseGrant grant = leased.lease();
      queue = Protocol.instanceQueue(service, grant.instance());
      workerId = grant.workerId();
      instance = grant.instance();
    } else if (target instanceof CallTarget.OneInstance one) {
      queue = Protocol.instanceQueue(service, one.number());
      workerId = hostOf(service, one.number());
      instance = one.number();
    } else {
      queue = Protocol.serviceQueue(service);
    }
    WireFormat format = invocation.format();
    Pending<byte[]> call = new Pending<>(nextId(), Pending.Kind.CALL, service, workerId, instance,
        reply -> reply.bodyIn(format));
    GridException refused = refusal(service, workerId);
    if (refused == null && target instanceof CallTarget.Leased leased && leases.isLost(leased.lease().leaseId())) {
      refused = new LostInstanceException("lease " + leased.lease().leaseId() + " was lost when the broker connection dropped");
    }
    if (refused != null) {
      call.future.completeExceptionally(refused);
      return call.future;
    }
    Duration timeout = invocation.timeout();
    pending.add(call, timeout, () -> new CallTimeoutException(
        invocation.signature() + " on " + service + " did not complete within " + timeout));
    call.future.whenComplete((value, failure) -> {
      if (call.future.isCancelled()) {
        broadcastCancel(call.id);
      }
    });
    // To an instance queue (leased, targeted), calls run in the order sent.
    send(call, queue, replyTo -> Messages.request(Protocol.T_CALL, call.id, replyTo, null, format.contentType()),
        invocation.body(), !(target instanceof CallTarget.AnyInstance));
    return call.future;
  }

  /** Why a request cannot be sent at all, or null. */
  private GridException refusal(ServiceId service, String workerId) {
    GridException unavailable = link.unavailable();
    if (unavailable != null) {
      return unavailable;
    }
    if (workerId != null && lostWorkers.contains(workerId)) {
      return new LostInstanceException("worker " + workerId + " hosting " + service + " is gone");
    }
    if (workerId == null && published.isLeftWithoutInstances(service)) {
      return new NoInstanceException("no live instance of " + service + " is left");
    }
    return null;
  }

  /**
   * Publishes {@code request} (mandatory) to {@code queue}; with {@code inOrder}, after every
   * message this client sent to that queue before it (see {@link ChannelPool#publishInOrder}).
   * {@code propsFor} makes its properties for the reply queue of the connection it goes out on: the
   * link is read once, so a reconnect in between cannot send it on the new connection naming the old
   * connection's reply queue, where its reply would be lost and the call wait out its timeout.
   */
  private void send(Pending<?> request, String queue, Function<String, AMQP.BasicProperties> propsFor, byte[] body,
      boolean inOrder) {
    if (body.length > brokerMaxBytes) { // sending it would only close a channel, and drop what follows on it
      request.future.completeExceptionally(overBrokerMax(request, body.length, brokerMaxBytes));
      return;
    }
    ClientLink.Current current = link.current();
    AMQP.BasicProperties props = propsFor.apply(current.replyQueue());
    try {
      if (inOrder) {
        current.publishers().publishInOrder(request.id, "", queue, true, props, body);
      } else {
        current.publishers().publish(request.id, "", queue, true, props, body);
      }
      request.sent = true;
    } catch (AlreadyClosedException e) {
      // The broker closed the channel (refusing an earlier message) before this went out: amqp-client
      // checks before it writes a frame. Not sent again here: the close's listener may already have
      // told this caller it did not run.
      request.future.completeExceptionally(new GridUnavailableException(request.describe()
          + " was not sent: the broker had closed the channel it was to go out on (" + e.getMessage() + "); it did not run", e));
    } catch (IOException | ShutdownSignalException e) {
      request.future.completeExceptionally(new GridUnavailableException("cannot publish to the broker: " + e.getMessage(), e));
    }
  }

  private void broadcastCancel(String callId) {
    if (link.unavailable() != null) {
      return;
    }
    AMQP.BasicProperties props = Messages.request(Protocol.T_CANCEL, callId, null, Map.of(Protocol.H_CALL_ID, callId));
    try {
      link.current().publishers().publish(null, Protocol.EVENTS_EXCHANGE, Protocol.CANCEL_KEY, false, props, new byte[0]);
    } catch (IOException | ShutdownSignalException e) {
      log.debug("cancel of {} not sent: {}", callId, e.getMessage());
    }
  }

  // ---- leases ------------------------------------------------------------------------------

  @Override
  public CompletableFuture<LeaseGrant> acquire(ServiceId service, Duration timeout, Duration leaseTtl) {
    String leaseId = clientId + "-L" + sequence.incrementAndGet();
    Pending<LeaseGrant> acquire = new Pending<>(nextId(), Pending.Kind.ACQUIRE, service, null, reply -> {
      reply.bodyOrThrow();
      LeaseGrant grant = new LeaseGrant(
          leaseId, service,
          (int) Messages.longHeader(reply.props(), Protocol.H_INSTANCE, -1),
          Messages.header(reply.props(), Protocol.H_WORKER));
      // A worker that grants a lease is live, whatever its silence said: one that reconnected after a
      // broker outage can answer before its first heartbeat reaches this client, and the lease's calls
      // were refused, and its renewals stopped, as if it were still gone.
      if (grant.workerId() != null) {
        lostWorkers.remove(grant.workerId());
      }
      // Renewing starts before anyone can hold the lease, so a release always finds it to stop:
      // started from the future instead, it ran after callbacks the caller chained to the grant
      // (dependents run newest first), and a lease released in one was renewed for ever. A grant
      // the future then refuses (acquire cancelled or timed out) is released as an orphan.
      keepRenewing(grant, leaseTtl);
      return grant;
    });
    GridException refused = refusal(service, null);
    if (refused != null) {
      acquire.future.completeExceptionally(refused);
      return acquire.future;
    }
    pending.add(acquire, timeout, () -> new AcquireTimeoutException("no instance of " + service + " became free within " + timeout));
    Map<String, Object> headers = Map.of(
        Protocol.H_LEASE, leaseId,
        Protocol.H_LEASE_TTL, leaseTtl.toMillis(),
        Protocol.H_DEADLINE, System.currentTimeMillis() + timeout.toMillis());
    send(acquire, Protocol.serviceQueue(service), replyTo -> Messages.request(Protocol.T_ACQUIRE, acquire.id, replyTo, headers), new byte[0],
        false);
    return acquire.future;
  }

  /** Renews a held lease every third of its TTL until it is released or its worker is gone. */
  private void keepRenewing(LeaseGrant grant, Duration ttl) {
    byte[] body = json(new ServiceCommand(grant.service().value(), grant.instance(), grant.leaseId()));
    AMQP.BasicProperties props = Messages.request(Protocol.T_RENEW, null, null, Map.of());
    leases.start(grant.leaseId(), ttl, () -> {
      if (link.unavailable() != null || lostWorkers.contains(grant.workerId())) {
        return false;
      }
      try {
        link.current().publishers().publish(null, "", Protocol.workerQueue(grant.workerId()), false, props, body);
      } catch (IOException | ShutdownSignalException e) {
        log.debug("renewal of {} not sent: {}", grant.leaseId(), e.getMessage());
      }
      return true;
    });
  }

  /** Leases this client is renewing now: a test's view of what release and loss leave behind. */
  int renewedLeases() {
    return leases.renewing();
  }

  @Override
  public CompletableFuture<Void> release(LeaseGrant lease, boolean immediate) {
    leases.stop(lease.leaseId());
    Pending<Void> release = new Pending<>(nextId(), Pending.Kind.RELEASE, lease.service(), lease.workerId(),
        immediate ? -1 : lease.instance(), reply -> {
      reply.bodyOrThrow();
      return null;
    });
    if (link.unavailable() != null || lostWorkers.contains(lease.workerId()) || leases.forgetLost(lease.leaseId())) {
      release.future.complete(null); // nothing left to release
      return release.future;
    }
    if (immediate) {
      pending.add(release, CONTROL_TIMEOUT, () -> new GridUnavailableException("worker " + lease.workerId() + " did not confirm release-now"));
      byte[] body = json(new ServiceCommand(lease.service().value(), lease.instance(), lease.leaseId()));
      send(release, Protocol.workerQueue(lease.workerId()),
          replyTo -> Messages.request(Protocol.T_RELEASE_NOW, release.id, replyTo, Map.of()), body, false);
    } else {
      pending.add(release, RELEASE_TIMEOUT, () -> new GridUnavailableException("release of " + lease.leaseId() + " not confirmed"));
      send(release, Protocol.instanceQueue(lease.service(), lease.instance()),
          replyTo -> Messages.request(Protocol.T_RELEASE, release.id, replyTo, Map.of(Protocol.H_LEASE, lease.leaseId())), new byte[0],
          true); // after the lease's calls
    }
    return release.future;
  }

  /** A grant nobody waits for any more (the acquire timed out or was cancelled): give it back. */
  private void releaseOrphanGrant(Reply grant) {
    String leaseId = Messages.header(grant.props(), Protocol.H_LEASE);
    String worker = Messages.header(grant.props(), Protocol.H_WORKER);
    String service = Messages.header(grant.props(), Protocol.H_SERVICE);
    long instance = Messages.longHeader(grant.props(), Protocol.H_INSTANCE, -1);
    if (leaseId == null || worker == null || service == null || instance < 0) {
      log.warn("unreadable orphan grant {}", grant.props().getCorrelationId());
      return;
    }
    log.debug("releasing orphan grant {} of {}#{}", leaseId, service, instance);
    release(new LeaseGrant(leaseId, new ServiceId(service), (int) instance, worker), false);
  }

  // ---- services ----------------------------------------------------------------------------

  @Override
  public ServiceInfo publish(PublishRequest request) {
    checkMayBlock("publish");
    checkOpen();
    ServiceId service = new ServiceId(request.name().orElseGet(() -> "svc-" + UUID.randomUUID().toString().substring(0, 12)));
    List<Heartbeat> workers = directory.upWorkers();
    if (workers.isEmpty()) {
      throw new NoInstanceException("cannot publish " + service + ": no live worker");
    }
    int instances = request.instances() > 0 ? request.instances() : workers.stream().mapToInt(Heartbeat::slots).sum();
    Map<String, List<Integer>> placement = Placement.spread(workers, instances);
    declareServiceQueue(service, request.name().isPresent(), request.replicated());

    Map<String, CompletableFuture<Void>> hosted = new HashMap<>();
    String state = new String(request.state(), StandardCharsets.UTF_8);
    placement.forEach((worker, numbers) -> hosted.put(worker, control(worker, Protocol.T_HOST, json(new HostCommand(
        service.value(), request.name().orElse(null), request.implementation(), state, numbers, request.prefetch(),
        request.replicated())))));
    List<String> failures = new ArrayList<>();
    Throwable firstCause = null;
    for (Map.Entry<String, CompletableFuture<Void>> entry : hosted.entrySet()) {
      try {
        entry.getValue().join();
      } catch (RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        failures.add(entry.getKey() + ": " + cause.getMessage());
        firstCause = firstCause == null ? cause : firstCause;
      }
    }
    List<InstanceInfo> placed = new ArrayList<>();
    placement.forEach((worker, numbers) -> numbers.forEach(n -> placed.add(new InstanceInfo(service, n, worker, java.util.Optional.empty()))));
    placed.sort(java.util.Comparator.comparingInt(InstanceInfo::number));
    ServiceInfo info = new ServiceInfo(service, request.name(), request.implementation(), placed);
    published.put(info);
    if (!failures.isEmpty()) {
      terminate(service); // leave nothing half-published behind
      throw new PublishFailedException("cannot publish " + request.implementation() + " as " + service + ": " + String.join("; ", failures), firstCause);
    }
    return info;
  }

  private void declareServiceQueue(ServiceId service, boolean named, boolean replicated) {
    String queue = Protocol.serviceQueue(service);
    if (replicated) {
      // Capability check: any x-argument closes the connection on brokers that lack it (Qpid).
      Object product = link.current().connection().getServerProperties().get("product");
      if (product == null || !product.toString().equals("RabbitMQ")) {
        throw new PublishFailedException("replicated service queues need RabbitMQ quorum queues; the broker is "
            + (product == null ? "unknown" : product), null);
      }
    }
    if (named && queueExists(queue)) {
      throw new PublishFailedException("a service named '" + service + "' already exists on the broker", null);
    }
    withChannel(channel -> channel.queueDeclare(queue, true, false, false, Protocol.serviceQueueArguments(replicated)));
  }

  @Override
  public ServiceInfo describe(ServiceId service) {
    return published.find(service).or(() -> directory.service(service))
        .orElseThrow(() -> new UnknownServiceException("no live worker hosts service " + service));
  }

  @Override
  public ServiceId lookup(String name) {
    checkMayBlock("lookup");
    checkOpen();
    ServiceId id;
    try {
      id = new ServiceId(name);
    } catch (IllegalArgumentException e) {
      throw new UnknownServiceException("no service named '" + name + "': " + e.getMessage());
    }
    if (!queueExists(Protocol.serviceQueue(id))) {
      throw new UnknownServiceException("no service named '" + name + "' on the broker");
    }
    return id;
  }

  @Override
  public void terminate(ServiceId service) {
    checkMayBlock("terminate");
    checkOpen();
    Set<String> hosts = new LinkedHashSet<>();
    published.find(service).ifPresent(info -> info.instances().forEach(i -> hosts.add(i.workerId())));
    directory.service(service).ifPresent(info -> info.instances().forEach(i -> hosts.add(i.workerId())));
    List<CompletableFuture<Void>> stopped = new ArrayList<>();
    for (String worker : hosts) {
      if (!lostWorkers.contains(worker)) {
        stopped.add(control(worker, Protocol.T_TERMINATE, json(new ServiceCommand(service.value(), -1, null))));
      }
    }
    for (CompletableFuture<Void> done : stopped) {
      try {
        done.join();
      } catch (RuntimeException e) {
        log.warn("terminate of {} on a worker failed: {}", service, e.getMessage());
      }
    }
    withChannel(channel -> channel.queueDelete(Protocol.serviceQueue(service)));
    published.remove(service);
    pending.failAll(p -> service.equals(p.service) && p.kind != Pending.Kind.RELEASE,
        () -> new UnknownServiceException("service " + service + " was terminated"));
  }

  @Override
  public void shutdownWorkers(Set<String> workerIds) {
    checkMayBlock("shutdownWorkers");
    checkOpen();
    List<CompletableFuture<Void>> asked = new ArrayList<>();
    for (String worker : workerIds) {
      if (!lostWorkers.contains(worker)) {
        asked.add(control(worker, Protocol.T_SHUTDOWN, new byte[0]));
      }
    }
    for (CompletableFuture<Void> done : asked) {
      try {
        done.join();
      } catch (RuntimeException e) {
        // An unreachable worker is stopped by its provisioner instead.
        log.warn("shutdown request to a worker failed: {}", e.getMessage());
      }
    }
  }

  /** Sends a control command to a worker's queue; the future completes on its acknowledgement. */
  private CompletableFuture<Void> control(String workerId, String type, byte[] body) {
    Pending<Void> command = new Pending<>(nextId(), Pending.Kind.CONTROL, null, workerId, reply -> {
      reply.bodyOrThrow();
      return null;
    });
    pending.add(command, CONTROL_TIMEOUT, () -> new GridUnavailableException("worker " + workerId + " did not answer '" + type + "' within " + CONTROL_TIMEOUT));
    send(command, Protocol.workerQueue(workerId), replyTo -> Messages.request(type, command.id, replyTo, Map.of()), body, false);
    return command.future;
  }

  private String hostOf(ServiceId service, int number) {
    return describe(service).instances().stream()
        .filter(i -> i.number() == number)
        .map(InstanceInfo::workerId)
        .findFirst()
        .orElseThrow(() -> new LostInstanceException("service " + service + " has no instance " + number));
  }

  // ---- inbound -----------------------------------------------------------------------------

  private void onReply(Reply reply) {
    Pending<?> request = pending.get(reply.props().getCorrelationId());
    if (Protocol.T_STARTED.equals(reply.type())) {
      if (request != null) {
        String worker = Messages.header(reply.props(), Protocol.H_WORKER);
        request.bind(worker, (int) Messages.longHeader(reply.props(), Protocol.H_INSTANCE, -1));
        if (worker != null && lostWorkers.contains(worker)) {
          request.future.completeExceptionally(new LostInstanceException("worker " + worker + " running the call is gone"));
        }
      }
      return;
    }
    boolean accepted = request != null && request.accept(reply);
    if (!accepted && Protocol.T_GRANT.equals(reply.type()) && !reply.isError()) {
      releaseOrphanGrant(reply);
    }
  }

  /**
   * The broker closed a publishing channel, refusing a message: fails the requests that channel
   * carried and the broker will not answer, at once rather than at their timeouts. For a body over
   * the broker's {@code max_message_size} the client knows exactly which ones, and remembers the
   * limit so that later bodies over it are refused before they cost a channel.
   */
  private void onRefused(ChannelRefusal refusal, SentLog<String> carried) {
    if (refusal.overMaxSize()) {
      brokerMaxBytes = Math.min(brokerMaxBytes, refusal.brokerMaxBytes());
    }
    log.warn("the broker closed a publishing channel: {}", refusal.replyText());
    for (ChannelRefusal.Outcome<String> outcome : refusal.outcomes(carried)) {
      Pending<?> request = pending.get(outcome.key());
      if (request == null) {
        continue; // answered already, or a message nobody waits on
      }
      GridException error = switch (outcome.fate()) {
        case DELIVERED -> null;
        case REFUSED -> overBrokerMax(request, outcome.bodyBytes(), refusal.brokerMaxBytes());
        case DROPPED -> new GridUnavailableException(request.describe() + " was not delivered: the broker dropped it after refusing"
            + " a message sent before it on the same channel (" + refusal.replyText() + "); it did not run");
        case UNKNOWN -> new GridUnavailableException("the broker closed the channel " + request.describe() + " went out on ("
            + refusal.replyText() + "); it may or may not have been delivered");
      };
      if (error != null) {
        request.future.completeExceptionally(error);
      }
    }
  }

  private static BadRequestException overBrokerMax(Pending<?> request, long bodyBytes, long brokerMax) {
    return new BadRequestException(request.describe() + " takes " + bodyBytes + " bytes, more than the broker's max_message_size of "
        + brokerMax + ": raise max_message_size on the broker, or keep Grid.Builder.maxMessageBytes at or under it");
  }

  private void onReturned(String routingKey, AMQP.BasicProperties props) {
    Pending<?> request = pending.get(props.getCorrelationId());
    if (request == null) {
      return;
    }
    GridException error;
    if (Protocol.isServiceQueue(routingKey)) {
      error = new UnknownServiceException("no service " + request.service + " on the broker");
    } else if (request.kind == Pending.Kind.RELEASE) {
      request.future.complete(null); // the instance is gone, so it is released
      return;
    } else if (Protocol.isInstanceQueue(routingKey)) {
      error = new LostInstanceException("instance queue " + routingKey + " is gone: its worker stopped or the service was terminated");
    } else {
      error = new GridUnavailableException("worker queue " + routingKey + " is gone: the worker stopped");
    }
    request.future.completeExceptionally(error);
  }

  private void onHeartbeat(byte[] body) {
    Heartbeat heartbeat;
    try {
      heartbeat = Codec.json().mapper().readValue(body, Heartbeat.class);
    } catch (RuntimeException e) {
      log.warn("ignoring unreadable heartbeat: {}", e.getMessage());
      return;
    }
    if (!Heartbeat.DOWN.equals(heartbeat.state())) {
      lostWorkers.remove(heartbeat.workerId()); // a worker id that comes back is live again
      published.restore(heartbeat);
    }
    for (Heartbeat.Instance rebound : directory.accept(heartbeat)) {
      // Off the consumer thread: the check publishes, and heartbeats must not wait for that.
      scheduler.execute(() -> survive(() -> "in-flight check of " + rebound.service() + "#" + rebound.number(),
          () -> checkInFlight(heartbeat.workerId(), rebound)));
    }
  }

  /**
   * {@code instance} bound a new instance queue: its worker's connection dropped, and the old queue
   * went with it, taking any calls still in it (and any reply still in that connection's buffers).
   * Asks the instance which of this client's requests to it it still holds; the others fail as lost
   * now instead of at their timeout, and releases count as done, as the lease went with the queue.
   */
  private void checkInFlight(String workerId, Heartbeat.Instance instance) {
    ServiceId service = new ServiceId(instance.service());
    List<Pending<?>> sent = pending.matching(p -> p.sentTo(workerId, service, instance.number()));
    if (sent.isEmpty()) {
      return;
    }
    Pending<Set<String>> check = new Pending<>(nextId(), Pending.Kind.CONTROL, service, workerId,
        reply -> Set.copyOf(Arrays.asList(Codec.json().mapper().readValue(reply.bodyOrThrow(), String[].class))));
    pending.add(check, CONTROL_TIMEOUT, () -> new GridUnavailableException(
        service + "#" + instance.number() + " did not say which calls it holds within " + CONTROL_TIMEOUT));
    check.future.thenAccept(held -> sent.stream().filter(p -> !held.contains(p.id)).forEach(lost -> {
      if (lost.kind == Pending.Kind.RELEASE) {
        lost.future.complete(null); // the lease went with the old queue: nothing is left to release
      } else {
        lost.future.completeExceptionally(new LostInstanceException("call " + lost.id + " to " + service + "#" + instance.number()
            + " was in flight when worker " + workerId + "'s broker connection dropped: it was lost with the"
            + " instance's queue, or its reply with the connection, so it may have run"));
      }
    }));
    send(check, Protocol.instanceQueue(service, instance.number()),
        replyTo -> Messages.request(Protocol.T_IN_FLIGHT, check.id, replyTo, Map.of()), new byte[0], true);
  }

  /**
   * A worker stopped or fell silent: shrink the services it hosted at once (new calls no longer go
   * to it), and fail what was bound to it. A worker that said it is DOWN answered every call it took
   * before saying so, but its last replies travel through another queue than its heartbeat, and the
   * broker may deliver them after it: what was bound to it fails only {@link #DOWN_SETTLE} later,
   * so those replies complete their calls instead of a loss they did not suffer.
   */
  private void onWorkerLost(String workerId, boolean saidDown) {
    lostWorkers.add(workerId);
    log.info("worker {} is gone", workerId);
    List<ServiceId> lastInstanceGone = published.dropWorker(workerId);
    if (!saidDown) {
      failWhatWasBoundTo(workerId, lastInstanceGone);
      return;
    }
    try {
      scheduler.schedule(() -> survive(() -> "failing what was bound to " + workerId, () -> {
        if (lostWorkers.contains(workerId)) { // not heard from again meanwhile
          failWhatWasBoundTo(workerId, lastInstanceGone);
        }
      }), DOWN_SETTLE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      failWhatWasBoundTo(workerId, lastInstanceGone); // the client is closing: its own close failed what waited
    }
  }

  private void failWhatWasBoundTo(String workerId, List<ServiceId> lastInstanceGone) {
    pending.failAll(p -> workerId.equals(p.workerId), () -> new LostInstanceException("worker " + workerId + " is gone"));
    for (ServiceId service : lastInstanceGone) {
      if (!published.hasInstances(service)) { // none published or restored since
        pending.failAll(p -> service.equals(p.service) && p.isShared(),
            () -> new NoInstanceException("the last instance of " + service + " is gone"));
      }
    }
  }

  /** The broker connection dropped: what was pending fails at once, and held leases are lost. */
  private void onConnectionLost(GridUnavailableException outage) {
    leases.loseAll();
    pending.failAll(p -> true, () -> outage);
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private String nextId() {
    return clientId + "-" + sequence.incrementAndGet();
  }

  private void checkOpen() {
    GridException unavailable = link.unavailable();
    if (unavailable != null) {
      throw unavailable;
    }
  }

  private boolean queueExists(String queue) {
    try (Channel channel = link.current().connection().createChannel()) {
      channel.queueDeclarePassive(queue);
      return true;
    } catch (IOException e) {
      return false; // 404: the broker closed the throwaway channel, which is why it is throwaway
    } catch (java.util.concurrent.TimeoutException | ShutdownSignalException e) {
      return false;
    }
  }

  @FunctionalInterface
  private interface ChannelWork {
    void run(Channel channel) throws IOException;
  }

  /** Runs queue management on a throwaway channel: a broker error closes the channel it happens on. */
  private void withChannel(ChannelWork work) {
    try (Channel channel = link.current().connection().createChannel()) {
      work.run(channel);
    } catch (IOException | java.util.concurrent.TimeoutException | ShutdownSignalException e) {
      throw new GridUnavailableException("broker refused a queue operation: " + e.getMessage(), e);
    }
  }

  private static byte[] json(Object value) {
    return Codec.json().mapper().writeValueAsBytes(value);
  }

  /**
   * Refuses {@code what} on any transport thread ({@link TransportThreads}: connections' reader and
   * consumer threads, timer threads), this grid's or another's: the one rule a direct callback
   * executor's callbacks must keep is not to block, and blocking there holds up the replies that
   * thread delivers even when it would not deadlock.
   */
  @Override
  public void checkMayBlock(String what) {
    if (TransportThreads.isCurrent()) {
      throw new IllegalStateException(what + " would block thread " + Thread.currentThread().getName()
          + ", which delivers replies and fires timeouts: callbacks run there with a direct callback executor"
          + " and must not block (use Grid.async, or an executor whose threads may block)");
    }
  }

  @Override
  public void close() {
    GridUnavailableException reason = new GridUnavailableException("the grid is closed");
    link.close(reason, () -> pending.close(() -> reason));
    scheduler.shutdownNow();
  }

  /** For tests and status: how many requests wait for replies. */
  int pendingCount() {
    return pending.size();
  }
}
