package io.warren.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.amqp.Connections;
import io.warren.amqp.Heartbeat;
import io.warren.amqp.HostCommand;
import io.warren.amqp.Messages;
import io.warren.amqp.Protocol;
import io.warren.amqp.ServiceCommand;
import io.warren.amqp.Timers;
import io.warren.grid.ErrorCode;
import io.warren.grid.ServiceId;
import io.warren.grid.spi.BrokerEndpoint;
import io.warren.grid.spi.Codec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker runtime: hosts service instances on request, heartbeats, and drains on shutdown.
 *
 * <p>Threads: control commands are handled one at a time on the control thread, which owns the
 * control channel; heartbeats are sent by the heartbeat thread on its own channel; each instance
 * has its own thread and channels ({@link InstanceRunner}). Everything sleeps until a message or
 * the heartbeat timer wakes it.
 */
public final class Worker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);
  /** How often instances are swept for leases whose client stopped renewing them and for long calls. */
  private static final long SWEEP_MILLIS = 250;

  private final WorkerOptions options;
  private final BrokerEndpoint broker;
  private volatile Connection connection;
  private volatile Channel control;
  private volatile Channel heartbeats;
  private final ExecutorService controlThread;
  /** The connection's consumer threads, kept across reconnects; instances run shared calls on them. */
  private final ConsumerThreads consumerThreads = new ConsumerThreads("warren-consumer-");
  private final ScheduledExecutorService heartbeatThread;
  private final ScheduledThreadPoolExecutor timers;
  private final InstanceContext instanceContext;
  private final Map<String, InstanceRunner> instances = new ConcurrentHashMap<>();
  /** Terminated instances still finishing their running call (no longer in {@link #instances}). */
  private final Set<CompletableFuture<Void>> terminating = ConcurrentHashMap.newKeySet();
  private final CancelledCalls cancelled = new CancelledCalls();
  /**
   * Each shared-queue delivery and when it reached this worker, until its consumer takes it: the
   * instances' early ack counts from then, and calls held behind a long call are handed back from it.
   */
  private final DeliveryLog deliveries = new DeliveryLog();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final String host = hostName();
  private volatile String state = Heartbeat.UP;
  private volatile int exitCode;

  private Worker(WorkerOptions options, BrokerEndpoint broker) throws IOException {
    this.options = options;
    this.broker = broker;
    this.controlThread = Executors.newSingleThreadExecutor(named("warren-control"));
    this.heartbeatThread = Executors.newSingleThreadScheduledExecutor(named("warren-heartbeat"));
    // Cancelled timers (e.g. of stopped instances) must leave the queue at once.
    this.timers = Timers.daemon("warren-timers");
    this.instanceContext = new InstanceContext(() -> connection, options.workerId(), cancelled, this::heartbeatSoon,
        options.maxMessageBytes(), options.ackAfter(), options.maxAttempts(), deliveries);
    setUp(Connections.open(broker, "warren-worker-" + options.workerId(), consumerThreads.executor(), deliveries));
    long interval = options.heartbeatInterval().toMillis();
    heartbeatThread.scheduleAtFixedRate(this::sendHeartbeat, 0, interval, TimeUnit.MILLISECONDS);
    timers.scheduleWithFixedDelay(() -> instances.values().forEach(instance -> {
      instance.checkLeaseExpiry();
      instance.checkLongCall();
      instance.flushAcks();
    }), SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Declares the worker's control queue and heartbeat channel on a fresh connection. */
  private void setUp(Connection fresh) throws IOException {
    Channel newHeartbeats = fresh.createChannel();
    newHeartbeats.exchangeDeclare(Protocol.EVENTS_EXCHANGE, BuiltinExchangeType.TOPIC, true);
    Channel newControl = fresh.createChannel();
    String queue = Protocol.workerQueue(options.workerId());
    newControl.queueDeclare(queue, false, true, false, null); // exclusive: a second worker with this id fails here
    newControl.queueBind(queue, Protocol.EVENTS_EXCHANGE, Protocol.CANCEL_KEY);
    newControl.basicConsume(queue, true, new DefaultConsumer(newControl) {
      @Override
      public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        if (Protocol.T_CANCEL.equals(props.getType())) {
          // At once, not behind other commands: skip it if queued, interrupt it if running.
          String callId = Messages.header(props, Protocol.H_CALL_ID);
          cancelled.add(callId);
          instances.values().forEach(runner -> runner.cancel(callId));
        } else if (Protocol.T_RENEW.equals(props.getType())) {
          renew(body);
        } else {
          controlThread.execute(() -> onControl(props, body));
        }
      }
    });
    heartbeats = newHeartbeats;
    control = newControl;
    connection = fresh;
    fresh.addShutdownListener(cause -> onConnectionLost(fresh, cause));
  }

  /**
   * Connects and starts serving.
   *
   * @throws io.warren.grid.GridUnavailableException if the broker cannot be reached
   */
  public static Worker start(WorkerOptions options, BrokerEndpoint broker) throws IOException {
    return new Worker(options, broker);
  }

  /** Blocks until the worker has stopped; returns its exit code (0 after a clean drain). */
  public int awaitTermination() throws InterruptedException {
    terminated.await();
    return exitCode;
  }

  // ---- control -----------------------------------------------------------------------------

  private void onControl(AMQP.BasicProperties props, byte[] body) {
    String type = props.getType();
    try {
      switch (type == null ? "" : type) {
        case Protocol.T_HOST -> host(props, Codec.json().mapper().readValue(body, HostCommand.class));
        case Protocol.T_TERMINATE -> terminate(props, Codec.json().mapper().readValue(body, ServiceCommand.class));
        case Protocol.T_RELEASE_NOW -> releaseNow(props, Codec.json().mapper().readValue(body, ServiceCommand.class));
        case Protocol.T_SHUTDOWN -> {
          Messages.replyOk(control, props, new byte[0]);
          new Thread(this::close, "warren-shutdown").start();
        }
        default -> Messages.replyError(control, props, ErrorCode.BAD_REQUEST, "unknown control command '" + type + "'");
      }
    } catch (IOException | RuntimeException e) {
      log.warn("control command {} failed: {}", type, e.toString());
      try {
        Messages.replyError(control, props, ErrorCode.BAD_REQUEST, "control command '" + type + "' failed: " + e.getMessage());
      } catch (IOException | RuntimeException ignored) {
        // the channel is gone; the caller times out
      }
    }
  }

  private void host(AMQP.BasicProperties props, HostCommand command) throws IOException {
    if (stopping.get()) {
      Messages.replyError(control, props, ErrorCode.PUBLISH_FAILED, "worker " + options.workerId() + " is shutting down");
      return;
    }
    ServiceId service = new ServiceId(command.service());
    String duplicate = duplicateInstance(service, command.instances());
    if (duplicate != null) {
      Messages.replyError(control, props, ErrorCode.PUBLISH_FAILED, duplicate);
      return;
    }
    byte[] state = command.state().getBytes(StandardCharsets.UTF_8);
    List<InstanceRunner> started = new ArrayList<>();
    consumerThreads.fit(instances.size() + command.instances().size()); // before they consume
    try {
      for (int number : command.instances()) {
        ServiceObject object = ServiceObject.instantiate(command.implementation(), state); // each its own copy
        InstanceRunner runner = new InstanceRunner(instanceContext, service, command.name(), number, command.prefetch(),
            command.replicated(), object);
        started.add(runner);
        instances.put(key(service, number), runner);
      }
    } catch (ClassNotFoundException e) {
      undo(started);
      Messages.replyError(control, props, ErrorCode.PUBLISH_FAILED,
          "class " + command.implementation() + " is not on the class path of worker " + options.workerId());
      return;
    } catch (IOException | RuntimeException | LinkageError e) {
      undo(started);
      Messages.replyError(control, props, ErrorCode.PUBLISH_FAILED,
          "worker " + options.workerId() + " cannot host " + command.implementation() + ": " + e.getMessage());
      return;
    }
    log.info("hosting {} instances {} of {}", command.service(), command.instances(), command.implementation());
    Messages.replyOk(control, props, new byte[0]);
    heartbeatSoon();
  }

  /**
   * Why hosting {@code numbers} of {@code service} would replace a runner, or null. A replaced
   * runner is never stopped: it would go on consuming the service's queues on its own thread and
   * channels, out of the worker's sight (heartbeats, terminate, drain).
   */
  private String duplicateInstance(ServiceId service, List<Integer> numbers) {
    Set<Integer> seen = new HashSet<>();
    for (int number : numbers) {
      if (!seen.add(number)) {
        return "the host command names instance " + service + "#" + number + " twice";
      }
      if (instances.containsKey(key(service, number))) {
        return "worker " + options.workerId() + " already hosts " + service + "#" + number;
      }
    }
    return null;
  }

  private void undo(List<InstanceRunner> started) {
    for (InstanceRunner runner : started) {
      instances.remove(key(runner.service(), runner.number()));
      runner.stop(true).join();
    }
    consumerThreads.fit(instances.size());
  }

  /**
   * Stops the service's instances and answers once they have stopped. The control thread does not
   * wait meanwhile: a running call may take an hour, and other commands (host, release-now,
   * shutdown) would queue behind it until their callers time out.
   */
  private void terminate(AMQP.BasicProperties props, ServiceCommand command) {
    List<CompletableFuture<Void>> stopped = new ArrayList<>();
    for (InstanceRunner runner : List.copyOf(instances.values())) {
      if (runner.service().value().equals(command.service())) {
        instances.remove(key(runner.service(), runner.number()));
        CompletableFuture<Void> done = runner.stop(true);
        terminating.add(done); // a drain waits for it too: out of the table, its call still runs
        done.whenComplete((ignored, failure) -> terminating.remove(done));
        stopped.add(done);
      }
    }
    log.info("terminating {} ({} instances)", command.service(), stopped.size());
    heartbeatSoon();
    CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> {
      try {
        controlThread.execute(() -> terminated(props, command)); // the control channel is the control thread's
      } catch (RejectedExecutionException e) {
        // the worker stopped meanwhile: its DOWN heartbeat tells the caller
      }
    });
  }

  private void terminated(AMQP.BasicProperties props, ServiceCommand command) {
    consumerThreads.fit(instances.size());
    log.info("terminated {}", command.service());
    try {
      Messages.replyOk(control, props, new byte[0]);
    } catch (IOException | RuntimeException e) {
      log.warn("terminate of {} not answered: {}", command.service(), e.toString());
    }
  }

  private void releaseNow(AMQP.BasicProperties props, ServiceCommand command) throws IOException {
    InstanceRunner runner = instances.get(key(new ServiceId(command.service()), command.instance()));
    if (runner == null) {
      Messages.replyOk(control, props, new byte[0]); // nothing held there any more
    } else {
      runner.revoke(command.lease(), props); // the runner answers once the lease is gone
    }
  }

  private void renew(byte[] body) {
    try {
      ServiceCommand lease = Codec.json().mapper().readValue(body, ServiceCommand.class);
      InstanceRunner runner = instances.get(key(new ServiceId(lease.service()), lease.instance()));
      if (runner != null) {
        runner.renew(lease.lease());
      }
    } catch (RuntimeException e) {
      log.warn("ignoring an unreadable lease renewal: {}", e.getMessage());
    }
  }

  // ---- heartbeats --------------------------------------------------------------------------

  private void heartbeatSoon() {
    if (!heartbeatThread.isShutdown()) {
      heartbeatThread.execute(this::sendHeartbeat);
    }
  }

  private void sendHeartbeat() {
    try {
      publishHeartbeat(state);
    } catch (IOException | RuntimeException e) {
      log.debug("heartbeat not sent: {}", e.toString());
    }
  }

  private void publishHeartbeat(String currentState) throws IOException {
    List<Heartbeat.Instance> hosted = new ArrayList<>();
    int busy = 0;
    for (InstanceRunner runner : instances.values()) {
      hosted.add(new Heartbeat.Instance(runner.service().value(), runner.name(), runner.implementation(), runner.number(), runner.lease(),
          runner.binding()));
      busy += runner.busy() ? 1 : 0;
    }
    Heartbeat heartbeat = new Heartbeat(options.workerId(), host, ProcessHandle.current().pid(), options.slots(),
        currentState, busy, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        options.heartbeatInterval().toMillis(), System.currentTimeMillis(), hosted);
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
        .type(Protocol.T_HEARTBEAT).contentType(Protocol.JSON).build();
    heartbeats.basicPublish(Protocol.EVENTS_EXCHANGE, Protocol.HEARTBEAT_KEY_PREFIX + options.workerId(), false, props,
        Codec.json().mapper().writeValueAsBytes(heartbeat));
  }

  // ---- shutdown ----------------------------------------------------------------------------

  /**
   * Drains and stops: instances finish their running call, unstarted shared calls go back to their
   * queues for other workers, a last {@code DOWN} heartbeat tells clients, the connection closes.
   * Idempotent; blocks until done (bounded by the drain grace period).
   */
  @Override
  public void close() {
    if (!stopping.compareAndSet(false, true)) {
      awaitQuietly();
      return;
    }
    try {
      state = Heartbeat.DRAINING;
      heartbeatSoon();
      List<CompletableFuture<Void>> stopped = new ArrayList<>();
      for (InstanceRunner runner : instances.values()) {
        stopped.add(runner.stop(false));
      }
      stopped.addAll(terminating);
      try {
        CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new))
            .get(options.drainGrace().toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        log.warn("drain grace {} passed with calls still running; closing anyway", options.drainGrace());
        exitCode = 4;
      } catch (Exception e) {
        log.warn("drain: {}", e.toString());
      }
      heartbeatThread.shutdown();
      heartbeatThread.awaitTermination(5, TimeUnit.SECONDS);
      instances.clear();
      state = Heartbeat.DOWN;
      publishHeartbeat(Heartbeat.DOWN);
    } catch (IOException | RuntimeException e) {
      log.warn("last heartbeat not sent: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      controlThread.shutdownNow();
      timers.shutdownNow();
      try {
        if (connection.isOpen()) {
          connection.close(5_000);
        }
      } catch (IOException | RuntimeException e) {
        log.debug("close: {}", e.toString());
      }
      consumerThreads.shutdown(); // a call still running past the drain grace keeps its (daemon) thread
      log.info("worker {} stopped", options.workerId());
      terminated.countDown();
    }
  }

  private void onConnectionLost(Connection lost, ShutdownSignalException cause) {
    if (cause.isInitiatedByApplication() || stopping.get() || lost != connection) {
      return;
    }
    log.warn("lost the broker connection: {}; reconnecting for up to {}", cause.getMessage(), options.reconnectFor());
    Thread reconnecting = new Thread(this::reconnect, "warren-reconnect");
    reconnecting.setDaemon(true);
    reconnecting.start();
  }

  /**
   * Reconnects with backoff and re-binds every instance (their objects and state survive; leases do
   * not). Gives up after the reconnect period: no broker, no work, so the worker exits with status
   * 3 for its provisioner or operator to see.
   */
  private void reconnect() {
    long deadline = System.nanoTime() + options.reconnectFor().toNanos();
    long delay = 100;
    while (!stopping.get()) {
      try {
        Thread.sleep(delay);
        Connection fresh = Connections.open(broker, "warren-worker-" + options.workerId(), consumerThreads.executor(),
            deliveries);
        try {
          setUp(fresh);
        } catch (IOException | RuntimeException e) {
          fresh.abort();
          throw e;
        }
        instances.values().forEach(runner -> runner.rebind(fresh));
        log.info("reconnected to {}", broker.uriList());
        heartbeatSoon();
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IOException | RuntimeException e) {
        log.debug("reconnect failed: {}", e.toString());
        if (System.nanoTime() - deadline > 0) {
          log.error("no broker for {}: exiting", options.reconnectFor());
          exitCode = 3;
          stopping.set(true);
          heartbeatThread.shutdownNow();
          controlThread.shutdownNow();
          timers.shutdownNow();
          consumerThreads.shutdown();
          terminated.countDown();
          return;
        }
        delay = Math.min(5_000, delay * 2);
      }
    }
  }

  private void awaitQuietly() {
    try {
      terminated.await(options.drainGrace().plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String key(ServiceId service, int number) {
    return service.value() + "#" + number;
  }

  private static java.util.concurrent.ThreadFactory named(String name) {
    return run -> {
      Thread thread = new Thread(run, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return System.getenv().getOrDefault("HOSTNAME", "unknown");
    }
  }

  /** For tests: the {@code basic.ack} frames the instances have sent for answered shared calls. */
  long acknowledgementsSent() {
    return instances.values().stream().mapToLong(InstanceRunner::acknowledgementsSent).sum();
  }

  /** For tests: timers waiting in the worker's timer queue (the lease check is one). */
  int queuedTimers() {
    return timers.getQueue().size();
  }

  /** How long a drain may take before the worker closes anyway. */
  Duration drainGrace() {
    return options.drainGrace();
  }
}
