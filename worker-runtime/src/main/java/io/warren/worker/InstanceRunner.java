package io.warren.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.warren.amqp.Messages;
import io.warren.amqp.Protocol;
import io.warren.grid.ErrorCode;
import io.warren.grid.ServiceId;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one instance of a service. It consumes two queues: the service's shared queue (competing
 * with the other instances, at the service's prefetch) and its own exclusive instance queue
 * (leased and targeted calls, releases). Deliveries from both are put on one local queue and run
 * by one thread, one at a time; that thread owns both channels, so every publish and ack happens
 * on the thread that owns the channel.
 *
 * <p>Leasing: an {@code acquire} taken from the shared queue makes the instance cancel its shared
 * consumer (it stops taking shared work) and answer with a grant. Leased calls and the final
 * {@code release} arrive on the instance queue in the order the client sent them, so the release
 * takes effect after the lease's last call. The instance then consumes the shared queue again.
 */
final class InstanceRunner {
  private static final Logger log = LoggerFactory.getLogger(InstanceRunner.class);
  /** Prefetch on the instance queue: leased calls may be pipelined, they run in order anyway. */
  private static final int INSTANCE_PREFETCH = 32;

  private enum Source { SHARED, INSTANCE }

  private sealed interface Task permits Inbound, Revoke, Stop {}

  private record Inbound(Source source, long tag, AMQP.BasicProperties props, byte[] body) implements Task {}

  private record Revoke(String lease, AMQP.BasicProperties request) implements Task {}

  private record Stop(boolean deleteQueue, CompletableFuture<Void> done) implements Task {}

  private final ServiceId service;
  private final String name;
  private final int number;
  private final String workerId;
  private final ServiceObject target;
  private final CancelledCalls cancelled;
  private final Runnable onLeaseChange;
  private final LinkedBlockingDeque<Task> tasks = new LinkedBlockingDeque<>();
  private final String sharedQueue;
  private final String instanceQueue;
  private final Channel shared;
  private final Channel own;
  private final Thread thread;
  private String sharedTag;
  private String ownTag;
  private volatile String lease;
  private volatile boolean busy;

  /** Declares the queues and starts consuming; the caller's thread hands the channels over after. */
  InstanceRunner(Connection connection, ServiceId service, String name, int number, int prefetch, String workerId,
      ServiceObject target, CancelledCalls cancelled, Runnable onLeaseChange) throws IOException {
    this.service = service;
    this.name = name;
    this.number = number;
    this.workerId = workerId;
    this.target = target;
    this.cancelled = cancelled;
    this.onLeaseChange = onLeaseChange;
    this.sharedQueue = Protocol.serviceQueue(service);
    this.instanceQueue = Protocol.instanceQueue(service, number);
    this.shared = connection.createChannel();
    this.own = connection.createChannel();
    shared.basicQos(prefetch);
    own.basicQos(INSTANCE_PREFETCH);
    shared.queueDeclare(sharedQueue, true, false, false, null);
    own.queueDeclare(instanceQueue, false, true, false, null); // exclusive: gone with this worker
    ownTag = own.basicConsume(instanceQueue, false, consumer(own, Source.INSTANCE));
    sharedTag = shared.basicConsume(sharedQueue, false, consumer(shared, Source.SHARED));
    this.thread = new Thread(this::run, "warren-instance-" + service + "-" + number);
    thread.start();
  }

  ServiceId service() {
    return service;
  }

  String name() {
    return name;
  }

  int number() {
    return number;
  }

  String implementation() {
    return target.implementation();
  }

  /** The lease holding this instance, or null. */
  String lease() {
    return lease;
  }

  /** True while a call runs. */
  boolean busy() {
    return busy;
  }

  /** Ends {@code lease} now (release-now): queued calls of that lease will be refused. */
  void revoke(String leaseId, AMQP.BasicProperties request) {
    tasks.addFirst(new Revoke(leaseId, request));
  }

  /**
   * Stops after the running call: no new work is taken, unstarted shared calls go back to the
   * service queue for other instances, unstarted leased calls are answered with a lost-instance
   * error. Completes {@code done} when the channels are closed.
   */
  CompletableFuture<Void> stop(boolean deleteQueue) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    tasks.addFirst(new Stop(deleteQueue, done));
    return done;
  }

  private DefaultConsumer consumer(Channel channel, Source source) {
    return new DefaultConsumer(channel) {
      @Override
      public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        tasks.add(new Inbound(source, envelope.getDeliveryTag(), props, body));
      }
    };
  }

  private void run() {
    while (true) {
      Task task;
      try {
        task = tasks.take(); // sleeps while idle: no polling
      } catch (InterruptedException e) {
        return;
      }
      try {
        if (task instanceof Stop stop) {
          stop(stop);
          return;
        } else if (task instanceof Revoke revoke) {
          revoke(revoke);
        } else {
          handle((Inbound) task);
        }
      } catch (IOException | RuntimeException e) {
        log.warn("instance {}#{}: {}", service, number, e.toString());
      }
    }
  }

  private void handle(Inbound in) throws IOException {
    if (in.source() == Source.SHARED && lease != null) {
      // Prefetched before the lease took this instance: give it back for another instance.
      shared.basicNack(in.tag(), false, true);
      return;
    }
    String type = in.props().getType();
    if (Protocol.T_CALL.equals(type)) {
      call(in);
    } else if (Protocol.T_ACQUIRE.equals(type) && in.source() == Source.SHARED) {
      grant(in);
    } else if (Protocol.T_RELEASE.equals(type) && in.source() == Source.INSTANCE) {
      release(in);
    } else {
      Messages.replyError(own, in.props(), ErrorCode.BAD_REQUEST, "unexpected message type '" + type + "' on " + queueOf(in));
      ack(in);
    }
  }

  private void call(Inbound in) throws IOException {
    AMQP.BasicProperties props = in.props();
    if (cancelled.contains(props.getCorrelationId())) {
      ack(in); // the caller gave up on it
      return;
    }
    if (System.currentTimeMillis() > Messages.longHeader(props, Protocol.H_DEADLINE, Long.MAX_VALUE)) {
      Messages.replyError(own, props, ErrorCode.CALL_TIMEOUT, "the call's deadline passed before it started");
      ack(in);
      return;
    }
    String callLease = Messages.header(props, Protocol.H_LEASE);
    if (callLease != null && !callLease.equals(lease)) {
      Messages.replyError(own, props, ErrorCode.LEASE_RELEASED, "lease " + callLease + " no longer holds " + service + "#" + number);
      ack(in);
      return;
    }
    String interfaceName = Messages.header(props, Protocol.H_INTERFACE);
    String method = Messages.header(props, Protocol.H_METHOD);
    if (interfaceName == null || method == null) {
      Messages.replyError(own, props, ErrorCode.BAD_REQUEST, "a call needs the headers " + Protocol.H_INTERFACE + " and " + Protocol.H_METHOD);
      ack(in);
      return;
    }
    busy = true;
    ServiceObject.Result result;
    try {
      result = target.invoke(interfaceName, method, in.body());
    } finally {
      busy = false;
    }
    if (result.error() == null) {
      Messages.replyOk(own, props, result.value());
    } else {
      Messages.replyError(own, props, result.error());
    }
    ack(in); // after the reply: a worker that dies mid-call leaves the call to be redelivered
  }

  private void grant(Inbound in) throws IOException {
    AMQP.BasicProperties props = in.props();
    String leaseId = Messages.header(props, Protocol.H_LEASE);
    if (System.currentTimeMillis() > Messages.longHeader(props, Protocol.H_DEADLINE, Long.MAX_VALUE)) {
      ack(in); // the acquirer has given up; granting would leak the instance
      return;
    }
    if (leaseId == null) {
      Messages.replyError(own, props, ErrorCode.BAD_REQUEST, "acquire without a " + Protocol.H_LEASE + " header");
      ack(in);
      return;
    }
    lease = leaseId;
    shared.basicCancel(sharedTag);
    sharedTag = null;
    Messages.reply(own, props, Protocol.T_GRANT, Protocol.STATUS_OK, Map.of(
        Protocol.H_LEASE, leaseId,
        Protocol.H_SERVICE, service.value(),
        Protocol.H_INSTANCE, number,
        Protocol.H_WORKER, workerId), new byte[0]);
    ack(in);
    onLeaseChange.run();
  }

  private void release(Inbound in) throws IOException {
    String leaseId = Messages.header(in.props(), Protocol.H_LEASE);
    if (leaseId != null && leaseId.equals(lease)) {
      endLease();
    }
    Messages.replyOk(own, in.props(), new byte[0]); // idempotent: releasing a gone lease is fine
    ack(in);
  }

  private void revoke(Revoke revoke) throws IOException {
    if (revoke.lease().equals(lease)) {
      endLease();
    }
    Messages.replyOk(own, revoke.request(), new byte[0]);
  }

  private void endLease() throws IOException {
    lease = null;
    sharedTag = shared.basicConsume(sharedQueue, false, consumer(shared, Source.SHARED));
    onLeaseChange.run();
  }

  private void stop(Stop stop) {
    try {
      if (sharedTag != null) {
        shared.basicCancel(sharedTag);
      }
      own.basicCancel(ownTag);
      for (Task task; (task = tasks.poll()) != null; ) {
        if (task instanceof Inbound in) {
          if (in.source() == Source.SHARED) {
            shared.basicNack(in.tag(), false, true); // another instance will run it
          } else {
            Messages.replyError(own, in.props(), ErrorCode.LOST_INSTANCE, service + "#" + number + " is shutting down");
            ack(in);
          }
        } else if (task instanceof Revoke revoke) {
          Messages.replyOk(own, revoke.request(), new byte[0]);
        } else if (task instanceof Stop other) {
          other.done().complete(null);
        }
      }
      if (stop.deleteQueue()) {
        own.queueDelete(instanceQueue);
      }
    } catch (IOException | RuntimeException e) {
      log.warn("stopping {}#{}: {}", service, number, e.toString());
    } finally {
      closeQuietly(shared); // closing requeues anything still unacknowledged
      closeQuietly(own);
      stop.done().complete(null);
    }
  }

  private void ack(Inbound in) throws IOException {
    (in.source() == Source.SHARED ? shared : own).basicAck(in.tag(), false);
  }

  private String queueOf(Inbound in) {
    return in.source() == Source.SHARED ? sharedQueue : instanceQueue;
  }

  private static void closeQuietly(Channel channel) {
    try {
      if (channel.isOpen()) {
        channel.close();
      }
    } catch (IOException | RuntimeException | java.util.concurrent.TimeoutException e) {
      // already closing
    }
  }
}
