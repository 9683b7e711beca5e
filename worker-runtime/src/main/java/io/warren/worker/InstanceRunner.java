package io.warren.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.warren.amqp.Messages;
import io.warren.amqp.Protocol;
import io.warren.grid.BadRequestException;
import io.warren.grid.ErrorCode;
import io.warren.grid.ServiceId;
import io.warren.grid.spi.CallEnvelope;
import io.warren.grid.spi.CallMessage;
import io.warren.grid.spi.Codec;
import io.warren.worker.InstanceTask.Cancel;
import io.warren.worker.InstanceTask.Expire;
import io.warren.worker.InstanceTask.Finished;
import io.warren.worker.InstanceTask.FlushAcks;
import io.warren.worker.InstanceTask.Inbound;
import io.warren.worker.InstanceTask.LongCall;
import io.warren.worker.InstanceTask.Rebind;
import io.warren.worker.InstanceTask.RepliesRefused;
import io.warren.worker.InstanceTask.Resend;
import io.warren.worker.InstanceTask.Retire;
import io.warren.worker.InstanceTask.Revoke;
import io.warren.worker.InstanceTask.Source;
import io.warren.worker.InstanceTask.Stop;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one instance of a service. It consumes two queues: the service's shared queue (competing
 * with the other instances, at the service's prefetch, acknowledged after the reply, in batches
 * from prefetch 4: {@link AnsweredCalls}) and its own exclusive instance queue (leased and targeted
 * calls and releases; auto-acknowledged, since they die with this worker anyway and must not age
 * into the broker's consumer timeout).
 *
 * <p>Threads: a {@link TaskLoop} runs deliveries, call completions, cancels, timers and stop
 * requests one at a time, and whichever thread runs them owns both channels meanwhile; service code
 * runs one call at a time, outside the loop, so a cancel can interrupt it without touching a
 * channel. A delivery is handled on the client library's consumer thread and a completion on the
 * thread whose call just finished; channel repairs, cancels, early acks and stops run on the
 * loop's own thread. A shared call runs on the consumer thread that delivered it, as a plain
 * amqp-client consumer would: no thread hand-off at all (the worker gives the library a pool
 * sized by its instances, {@link ConsumerThreads}). Other calls (leased and targeted ones, and calls the loop
 * thread starts) run on the instance's call thread: the instance queue is auto-acknowledged, so
 * nothing bounds what the library would hold behind a call running on its thread.
 *
 * <p>Leasing: an {@code acquire} taken from the shared queue makes the instance cancel its shared
 * consumer and answer with a grant. Leased calls and the final {@code release} arrive on the
 * instance queue in the order the client sent them, so the release takes effect after the lease's
 * last call. A lease with a TTL ends by itself if its client stops renewing it (the client died).
 *
 * <p>Redelivery: a shared call the broker redelivers (its worker died while running it) is put
 * back on the service queue with its attempt count raised, so the count travels with the call on
 * any broker; past {@code maxAttempts} it goes to the dead-letter queue instead of killing more
 * workers. A redelivered {@code @NonIdempotent} call is refused rather than run twice. So the
 * instance never has the broker requeue a call it hands back unstarted (drain, lease, pause): the
 * broker marks every requeued delivery redelivered, and the call's next instance would count it
 * as a death. It publishes the call again unchanged instead, and acknowledges it once the broker
 * has confirmed the copy ({@link CallHandOver#handOver}).
 *
 * <p>Long calls: a shared call still running {@code ackAfter} after its delivery (not its start: it
 * may have waited behind others) is acknowledged early (so the broker's consumer timeout cannot
 * close the channel and redeliver it while it runs), and its
 * caller is told which worker now holds it, so the worker's death is reported instead of hidden.
 *
 * <p>Its parts: what the loop handles ({@link InstanceTask}), the call it runs ({@link RunningCall}),
 * its replies and what becomes of those the broker refuses ({@link InstanceReplies}), and the
 * hand-back of unstarted shared calls ({@link CallHandOver}).
 */
final class InstanceRunner {
  private static final Logger log = LoggerFactory.getLogger(InstanceRunner.class);
  /**
   * amqp-client holds a channel's undelivered messages in a queue of 1000 and blocks the
   * connection's reader thread when it is full. A call running on the consumer thread leaves up to
   * prefetch - 1 of them waiting there, so above this prefetch shared calls go to the call thread.
   */
  static final int MAX_PREFETCH_FOR_CALLS_ON_CONSUMER = 500;

  private final ServiceId service;
  private final String name;
  private final int number;
  private final ServiceObject target;
  private final InstanceContext context;
  private final TaskLoop<InstanceTask> loop;
  private final ArrayDeque<Inbound> waiting = new ArrayDeque<>();
  private final String sharedQueue;
  private final String instanceQueue;
  private final int prefetch;
  /** Answered shared calls, acknowledged in batches. */
  private final AnsweredCalls answered;
  /** The service queues' arguments, as the publishing client declared them (quorum or none). */
  private final Map<String, Object> queueArguments;
  private Channel shared;
  private Channel own;
  /** Where replies go out, and what becomes of those the broker refuses. */
  private final InstanceReplies replies;
  private final CallHandOver handOvers;
  private final ExecutorService callThread;
  /**
   * Held while service code runs: a cancelled call may still be unwinding on one thread when the
   * next call starts on another, and an instance runs one call at a time.
   */
  private final ReentrantLock serviceCode = new ReentrantLock();
  /** Shared calls run on their consumer thread only below this prefetch (see {@link #sharedConsumer}). */
  private final boolean sharedCallsOnConsumer;
  /**
   * The shared channel whose delivery handler this thread is in, if any. Per thread: a paused
   * channel's consumer thread may still be handing over what it held while the new channel's
   * delivers, and neither may run the other's calls (the paused one's would wait behind them).
   */
  private final ThreadLocal<Channel> deliveringOn = new ThreadLocal<>();
  /** A call started on a shared consumer thread, for that thread to run once it has let go of the loop. */
  private volatile RunningCall startedHere;
  /**
   * The shared queue's consumer, or null while the instance takes no shared work: leased, stopping,
   * or paused behind a call acknowledged early (see {@link #pauseSharedWork}).
   */
  private String sharedTag;
  /**
   * Completes when the latest shared consumer has gone (cancelled or its channel shut): every call
   * the broker gave it has reached the loop by then, as the library delivers the cancel after them.
   */
  private CompletableFuture<Void> sharedConsumerGone = CompletableFuture.completedFuture(null);
  private String ownTag;
  /** Completes when the instance-queue consumer has gone, after its last delivery (see {@link #sharedConsumerGone}). */
  private CompletableFuture<Void> ownConsumerGone = CompletableFuture.completedFuture(null);
  private volatile RunningCall current;
  private long sequence;
  private Stop stopping;
  private final InstanceLease lease = new InstanceLease();
  /**
   * The instance queues this instance has declared, from 1: one more for each connection it re-binds
   * on. Heartbeats carry it, so a client sees the old queue (and any calls left in it) is gone.
   */
  private volatile int binding = 1;

  /** Declares the queues and starts consuming; the caller's thread hands the channels over after. */
  InstanceRunner(InstanceContext context, ServiceId service, String name, int number, int prefetch, boolean replicated,
      ServiceObject target)
      throws IOException {
    this.context = context;
    this.service = service;
    this.name = name;
    this.number = number;
    this.target = target;
    this.sharedQueue = Protocol.serviceQueue(service);
    this.instanceQueue = Protocol.instanceQueue(service, number);
    this.prefetch = prefetch;
    this.answered = new AnsweredCalls(prefetch);
    this.queueArguments = Protocol.serviceQueueArguments(replicated);
    this.sharedCallsOnConsumer = prefetch <= MAX_PREFETCH_FOR_CALLS_ON_CONSUMER;
    this.callThread = Executors.newSingleThreadExecutor(run -> {
      Thread thread = new Thread(run, "warren-call-" + service + "-" + number);
      thread.setDaemon(true);
      return thread;
    });
    // Deliveries and completions run where they arrive; the rest (and everything while stopping,
    // which closes channels and shuts the call thread down) on the loop thread.
    this.loop = new TaskLoop<>("warren-instance-" + service + "-" + number, this::handle,
        task -> !(task instanceof Inbound || task instanceof Finished) || stopping != null,
        (task, e) -> log.warn("instance {}#{}: {}", service, number, e.toString()));
    this.replies = new InstanceReplies(service, number, loop);
    this.handOvers = new CallHandOver(service, number, sharedQueue, context.deliveries());
    openChannels(context.connection().get());
    loop.start();
  }

  /** Opens both channels on {@code connection}, declares the queues and starts consuming. */
  private void openChannels(com.rabbitmq.client.Connection connection) throws IOException {
    Channel newShared = connection.createChannel();
    Channel newOwn = connection.createChannel();
    newShared.basicQos(prefetch);
    newShared.confirmSelect(); // for the calls it hands over: only replies go out on the other channel
    newShared.queueDeclare(sharedQueue, true, false, false, queueArguments);
    newOwn.queueDeclare(instanceQueue, false, true, false, null); // exclusive: gone with this worker
    shared = newShared;
    own = newOwn;
    // Before the consumer starts: its first call's reply is logged too.
    InstanceReplies.Replies newReplies = replies.switchTo(newOwn);
    CompletableFuture<Void> ownGone = new CompletableFuture<>();
    ownTag = own.basicConsume(instanceQueue, true, consumer(own, Source.INSTANCE, ownGone));
    ownConsumerGone = ownGone;
    sharedTag = null;
    if (!lease.isHeld()) {
      consumeShared();
    }
    List.of(newShared, newOwn).forEach(this::rebindWhenClosedByBroker);
    replies.answerWhenRefused(newReplies); // after the re-bind's listeners: the answers go out on the new channel
  }

  /**
   * A channel the broker closes while the connection lives on (e.g. a consumer timeout) is
   * replaced: without new channels this instance would silently stop taking work.
   */
  private void rebindWhenClosedByBroker(Channel channel) {
    channel.addShutdownListener(cause -> {
      if (!cause.isHardError() && !cause.isInitiatedByApplication() && channel.getConnection().isOpen()) {
        loop.postFirst(new Rebind(channel.getConnection()));
      }
    });
  }

  /** The worker reconnected: consume again on the new connection (leases did not survive). */
  void rebind(com.rabbitmq.client.Connection connection) {
    loop.postFirst(new Rebind(connection));
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

  /** How many instance queues this instance has declared (see {@link io.warren.amqp.Heartbeat.Instance}). */
  int binding() {
    return binding;
  }

  /** The lease holding this instance, or null. */
  String lease() {
    return lease.holder();
  }

  /** True while a call runs. */
  boolean busy() {
    return current != null;
  }

  /** Ends {@code leaseId} now (release-now): queued calls of that lease will be refused. */
  void revoke(String leaseId, AMQP.BasicProperties request) {
    loop.postFirst(new Revoke(leaseId, request));
  }

  /** The lease's client is alive: restart its TTL. */
  void renew(String leaseId) {
    lease.renew(leaseId, System.nanoTime());
  }

  /** Called by the worker's timer: ends a lease whose client stopped renewing it. */
  void checkLeaseExpiry() {
    if (lease.expired(System.nanoTime())) {
      loop.postFirst(new Expire());
    }
  }

  /**
   * Called by the worker's timer: a shared call delivered {@code ackAfter} ago and still running is
   * acknowledged early (within one sweep period of that), and the calls waiting behind it are
   * handed over ({@link #pauseSharedWork}). From its delivery, not its start:
   * the broker's consumer timeout counts from the delivery, and at prefetch above 1 a call may wait
   * behind others before it starts. A sweep rather than a timer per call: scheduling and cancelling
   * a timer for every call woke the timer thread once per call.
   */
  void checkLongCall() {
    RunningCall call = current;
    long after = context.ackAfter().toNanos();
    if (call == null || after <= 0 || call.in.source() != Source.SHARED) {
      return;
    }
    long now = System.nanoTime();
    if (!call.acked && now - call.in.deliveredNanos() >= after) {
      loop.postFirst(new LongCall(call.sequence));
    }
  }

  /** Called by the worker's timer: acknowledges answered calls left over from the last batch. */
  void flushAcks() {
    if (answered.waiting()) {
      loop.postFirst(new FlushAcks());
    }
  }

  /** The {@code basic.ack} frames this instance has sent for answered calls (for tests). */
  long acknowledgementsSent() {
    return answered.acknowledgementsSent();
  }

  /** Cancels the call {@code callId} here if it is queued or running (interrupting it). */
  void cancel(String callId) {
    loop.postFirst(new Cancel(callId));
  }

  /**
   * Stops after the running call: no new work is taken, unstarted shared calls go back to the
   * service queue for other instances, unstarted leased calls are answered with a lost-instance
   * error. Completes when the channels are closed.
   */
  CompletableFuture<Void> stop(boolean deleteQueue) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.postFirst(new Stop(deleteQueue, done));
    return done;
  }

  /**
   * Takes shared calls again, on the current shared channel, under a consumer tag of its own that
   * the delivery log knows before the first delivery can arrive.
   */
  private void consumeShared() throws IOException {
    CompletableFuture<Void> gone = new CompletableFuture<>();
    String tag = "warren-" + service + "-" + number + "-" + UUID.randomUUID();
    context.deliveries().register(tag);
    gone.thenRun(() -> context.deliveries().forget(tag));
    sharedTag = shared.basicConsume(sharedQueue, false, tag, sharedConsumer(shared, gone));
    sharedConsumerGone = gone;
  }

  private DefaultConsumer consumer(Channel channel, Source source, CompletableFuture<Void> gone) {
    return new EndingConsumer(channel, gone) {
      @Override
      public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        long arrived = source == Source.SHARED ? context.deliveries().arrived(tag) : System.nanoTime();
        loop.runHere(Inbound.of(source, channel, envelope, props, body, arrived));
      }
    };
  }

  /**
   * The shared queue's consumer: a call it starts runs right here, on the client library's consumer
   * thread, once the loop is let go of; and so does each call started as one finishes, while this
   * channel's next deliveries wait in the library (at most prefetch - 1 of them).
   */
  private DefaultConsumer sharedConsumer(Channel channel, CompletableFuture<Void> gone) {
    if (!sharedCallsOnConsumer) {
      return consumer(channel, Source.SHARED, gone);
    }
    return new EndingConsumer(channel, gone) {
      @Override
      public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        deliveringOn.set(channel);
        try {
          loop.runHere(Inbound.of(Source.SHARED, channel, envelope, props, body, context.deliveries().arrived(tag)));
          for (RunningCall call; (call = takeStartedHere()) != null; ) {
            Thread.interrupted(); // left over from the call before (service code may interrupt itself)
            call.task.run(); // its completion, on this thread, may start the next call here
          }
        } finally {
          Thread.interrupted(); // a cancel's interrupt belongs to its call: the thread goes back to the library clean
          deliveringOn.remove();
        }
      }
    };
  }

  // ---- the event loop ----------------------------------------------------------------------

  /** Handles one task, holding the loop; true when the runner has stopped. */
  private boolean handle(InstanceTask task) throws IOException {
    if (task instanceof Inbound in) {
      if (!fromLiveChannel(in)) {
        if (in.source() == Source.SHARED) {
          handOvers.handOver(in); // from a paused channel still open: unstarted (a dead channel's the broker requeued)
        } else {
          // Taken (auto-acknowledged) on a connection that has since dropped, and passed on by the
          // library only after the re-bind: its lease went with the queue, and only this can tell its caller.
          answerLostWithTheConnection(in);
        }
        return false;
      }
      if (in.source() == Source.INSTANCE && Protocol.T_IN_FLIGHT.equals(in.props().getType())) {
        answerInFlight(in); // at once, not behind the calls it asks about
        return false;
      }
      if (stopping != null) {
        handBack(in);
      } else if (current != null) {
        waiting.add(in); // one call at a time, in arrival order
      } else {
        dispatch(in);
      }
    } else if (task instanceof Finished finished) {
      if (finished.call() == current) {
        try {
          complete(finished);
        } finally {
          current = null; // even if the reply could not be sent: the instance must go on
        }
        if (stopping != null) {
          return finishStop();
        }
        if (sharedTag == null && !lease.isHeld()) { // neither leased nor stopping: paused by an early ack
          consumeShared();
        }
        while (current == null && !waiting.isEmpty()) {
          dispatch(waiting.poll());
        }
      }
    } else if (task instanceof Cancel cancel) {
      cancelCall(cancel.callId());
    } else if (task instanceof LongCall longCall) {
      ackEarly(longCall.sequence());
    } else if (task instanceof Revoke revoke) {
      if (lease.isHeldBy(revoke.lease())) {
        endLease("released at once by its holder");
      }
      replies.replyOk(revoke.request(), new byte[0]);
    } else if (task instanceof Expire) {
      if (lease.expired(System.nanoTime())) {
        endLease("expired: its client stopped renewing it for " + lease.ttlMillis() + " ms");
      }
    } else if (task instanceof Stop stop) {
      return beginStop(stop);
    } else if (task instanceof Rebind rebind) {
      rebind(rebind);
    } else if (task instanceof FlushAcks) {
      answered.flush();
    } else if (task instanceof Retire retire) {
      handOvers.forget(retire.channel());
      Channels.closeQuietly(retire.channel());
    } else if (task instanceof RepliesRefused refused) {
      if (replies.answerRefused(refused).contains(lease.holder())) {
        endLease("ended: its grant did not reach the client");
      }
    } else if (task instanceof Resend again) {
      replies.resend(again);
    }
    return false;
  }

  /**
   * True for a delivery this instance must handle: a shared one of the current channel (the tag
   * means nothing elsewhere), an instance-queue one of the current connection. That queue outlives a
   * channel the broker closed, and its deliveries were acknowledged as they came: one that reaches
   * the loop after its channel closed is this instance's to answer or no one's.
   */
  private boolean fromLiveChannel(Inbound in) {
    return in.source() == Source.SHARED
        ? in.channel() == shared
        : in.channel() == own || in.channel().getConnection() == own.getConnection();
  }

  private void dispatch(Inbound in) throws IOException {
    if (in.source() == Source.SHARED && lease.isHeld()) {
      handOvers.handOver(in); // prefetched before the lease: for another instance
      return;
    }
    String type = in.props().getType();
    if (Protocol.T_CALL.equals(type)) {
      startCall(in);
    } else if (Protocol.T_ACQUIRE.equals(type) && in.source() == Source.SHARED) {
      grant(in);
    } else if (Protocol.T_RELEASE.equals(type) && in.source() == Source.INSTANCE) {
      release(in);
    } else {
      refuse(in, ErrorCode.BAD_REQUEST, "unexpected message type '" + type + "' on " + queueOf(in));
    }
  }

  private void rebind(Rebind rebind) throws IOException {
    if (stopping != null || (shared.isOpen() && own.isOpen() && shared.getConnection() == rebind.connection())) {
      return; // stopping anyway, or already re-made
    }
    log.warn("{}#{}: channels lost; opening new ones", service, number);
    boolean sameConnection = shared.getConnection() == rebind.connection();
    List<Inbound> lostWithTheConnection = new ArrayList<>();
    flushQuietly(); // if the shared channel still lives, closing it would requeue them
    Channels.closeQuietly(shared);
    Channels.closeQuietly(own);
    waiting.removeIf(in -> in.source() == Source.SHARED); // either way the broker requeued them
    if (sameConnection) {
      // A channel the broker closed (consumer timeout, an oversized reply): the instance queue and
      // the lease live on, and its deliveries were auto-acknowledged, so dropping one would leave
      // its caller waiting for the call's timeout. Those the library still holds for the old
      // consumer reach the loop before the new channel's first: leased calls keep their order.
      awaitLastDeliveries(ownConsumerGone, "instance-queue");
    } else {
      // A new connection: the instance queue died with the old one, taking the lease. The leased
      // and targeted calls already taken from it (auto-acknowledged) will never run: their callers
      // are told once the new channels are open, as their own connection may well have stayed up,
      // and nothing else would tell them.
      lostWithTheConnection.addAll(waiting);
      waiting.clear();
    }
    if (current != null) {
      current.acked = true; // its delivery tag belonged to the dead channel
    }
    if (!sameConnection) {
      lease.loseWithTheConnection(); // a new connection: the lease's instance queue and its client's view are gone
    }
    openChannels(rebind.connection());
    if (!sameConnection) {
      // Only now that the new queue exists: a client told of it sooner could ask it which calls
      // it holds before it is there, and the question would come back unroutable.
      binding++;
    }
    for (Inbound in : lostWithTheConnection) {
      answerLostWithTheConnection(in);
    }
    context.onLeaseChange().run();
  }

  /**
   * Tells a client which calls this instance still holds: the running one and those queued behind
   * it. Everything the client sent to this queue before asking came before this question (the client
   * publishes both in order, and the queue and its consumer keep that order), and the calls
   * already answered had their replies sent before this one, so any other call the client asks
   * about was lost with an earlier instance queue, or its reply with an earlier connection.
   */
  private void answerInFlight(Inbound in) throws IOException {
    List<String> held = new ArrayList<>(waiting.size() + 1);
    RunningCall running = current;
    if (running != null) {
      held.add(running.in.props().getCorrelationId());
    }
    for (Inbound queued : waiting) {
      held.add(queued.props().getCorrelationId());
    }
    replies.replyOk(in.props(), Codec.json().mapper().writeValueAsBytes(held));
  }

  /** An instance-queue delivery taken on a connection that has since dropped: the lease is gone. */
  private void answerLostWithTheConnection(Inbound in) throws IOException {
    if (Protocol.T_RELEASE.equals(in.props().getType())) {
      replies.replyOk(in.props(), new byte[0]); // nothing left to release
    } else {
      replies.replyError(in.props(), ErrorCode.LOST_INSTANCE, service + "#" + number
          + " lost its broker connection before the call started; its instance queue and lease went with it");
    }
  }

  // ---- calls -------------------------------------------------------------------------------

  private void startCall(Inbound in) throws IOException {
    AMQP.BasicProperties props = in.props();
    String replyTo = props.getReplyTo();
    if (replyTo == null || replyTo.isEmpty()) {
      log.warn("{}#{}: dropped a call without reply-to (correlation id {})", service, number, props.getCorrelationId());
      ack(in);
      return;
    }
    if (in.body().length > context.maxMessageBytes()) {
      refuse(in, ErrorCode.BAD_REQUEST, "the call's " + in.body().length + " bytes exceed the worker's limit of "
          + context.maxMessageBytes());
      return;
    }
    if (context.cancelled().contains(props.getCorrelationId())) {
      ack(in); // the caller gave up on it
      return;
    }
    Codec codec;
    CallMessage message;
    try {
      codec = Codec.forContentType(props.getContentType());
      message = codec.readCall(in.body());
    } catch (BadRequestException e) {
      refuse(in, ErrorCode.BAD_REQUEST, firstFormCall(props)
          ? "the call names its method in the header " + Protocol.H_FIRST_FORM_METHOD + ", as clients older than this "
              + "worker do; this worker reads it from the call's body (docs/protocol.md): run one Warren version"
          : e.getMessage());
      return;
    }
    CallEnvelope envelope = message.envelope();
    if (System.currentTimeMillis() > envelope.deadlineMillis()) {
      refuse(in, ErrorCode.CALL_TIMEOUT, "the call's deadline passed before it started");
      return;
    }
    String callLease = envelope.leaseId();
    if (callLease != null && !lease.isHeldBy(callLease)) {
      if (lease.wasLostWithTheConnection(callLease)) {
        // Its holder did not release it: a later call of the lease must fail as its contract says.
        refuse(in, ErrorCode.LOST_INSTANCE, "lease " + callLease + " ended when " + service + "#" + number
            + " lost its broker connection; acquire a new lease");
      } else {
        refuse(in, ErrorCode.LEASE_RELEASED, "lease " + callLease + " no longer holds " + service + "#" + number);
      }
      return;
    }
    ServiceObject.Prepared prepared = target.prepare(codec, message);
    if (prepared.error() != null) {
      replies.replyError(props, prepared.error());
      ack(in);
      return;
    }
    if (in.source() == Source.SHARED && CallAttempts.isRetry(in.redelivered(), in.props())) {
      if (prepared.nonIdempotent()) {
        refuse(in, ErrorCode.RETRY_REFUSED, prepared.method().displayName()
            + " is @NonIdempotent and its worker died while running it; it was not run again");
        return;
      }
      if (in.redelivered()) {
        retryOrDeadLetter(in);
        return;
      }
    }
    RunningCall call = new RunningCall(in, ++sequence);
    call.task = new FutureTask<>(() -> runServiceCode(call, prepared)) {
      @Override
      protected void done() {
        ServiceObject.Result result;
        try {
          result = isCancelled() ? null : get();
        } catch (Exception e) {
          result = null;
        }
        loop.runHere(new Finished(call, result)); // usually on the call thread, which is free now
      }
    };
    current = call;
    if (in.source() == Source.SHARED && deliveringOn.get() == in.channel()) {
      call.sharedConsumer = Thread.currentThread();
      startedHere = call; // run by this consumer thread once it lets go of the loop: no hand-off
    } else {
      callThread.execute(call.task);
    }
  }

  /**
   * The call this thread started, if any. Another consumer thread may be in the handler too (a long
   * call's old channel beside its replacement): each takes only its own. No other call can start
   * before the one waiting here has run, so nothing overwrites it meanwhile.
   */
  private RunningCall takeStartedHere() {
    RunningCall call = startedHere;
    if (call == null || call.sharedConsumer != Thread.currentThread()) {
      return null;
    }
    startedHere = null;
    return call;
  }

  private ServiceObject.Result runServiceCode(RunningCall call, ServiceObject.Prepared prepared) throws InterruptedException {
    serviceCode.lockInterruptibly(); // a cancel while it waits ends it here
    try {
      call.runner = Thread.currentThread();
      return target.run(prepared, context.maxMessageBytes());
    } finally {
      serviceCode.unlock();
    }
  }

  private void complete(Finished finished) throws IOException {
    RunningCall call = finished.call();
    ServiceObject.Result result = finished.result();
    if (call.cancelled || result == null) {
      replies.replyError(call.in.props(), ErrorCode.CANCELLED, "the call was cancelled while running");
    } else if (result.error() == null) {
      replies.replyResult(call.in.props(), result.value());
    } else {
      replies.replyError(call.in.props(), result.error());
    }
    if (!call.acked && onLiveSharedChannel(call.in)) {
      answered.add(shared, call.in.tag()); // after the reply: a worker that dies mid-call leaves the call to be redelivered
    }
  }

  private void cancelCall(String callId) throws IOException {
    if (callId == null) {
      return;
    }
    if (current != null && callId.equals(current.in.props().getCorrelationId())) {
      current.cancelled = true;
      current.task.cancel(true); // interrupts the service code on the call thread
      return;
    }
    for (Iterator<Inbound> it = waiting.iterator(); it.hasNext(); ) {
      Inbound in = it.next();
      if (callId.equals(in.props().getCorrelationId())) {
        it.remove();
        ack(in);
      }
    }
  }

  /**
   * A long call: acknowledge it now and tell the caller which worker and instance hold it (the
   * instance, so that the caller can ask it about the call if its reply may have been lost with a
   * dropped connection: see {@link #answerInFlight}).
   */
  private void ackEarly(long callSequence) throws IOException {
    if (current == null || current.sequence != callSequence || current.acked) {
      return;
    }
    ack(current.in);
    current.acked = true;
    replies.reply(current.in.props(), Protocol.T_STARTED, Protocol.STATUS_OK,
        Map.of(Protocol.H_WORKER, context.workerId(), Protocol.H_INSTANCE, number), new byte[0], Protocol.JSON);
    if (sharedTag != null) {
      pauseSharedWork();
    }
  }

  /**
   * Shared calls waiting behind a long call would age towards the consumer timeout too: they go
   * back to the queue for other instances, and this one takes no more shared work until the long
   * call ends. Those in {@link #waiting} are handed over at once; the shared consumer is cancelled
   * and whatever it still delivers is handed over as it arrives, then its channel is closed. A
   * long call running on that channel's consumer thread holds its later deliveries in the client
   * library, where they cannot reach the loop until it ends: once the broker has confirmed the
   * cancel (so no more can come) they are handed over from the connection's {@link DeliveryLog},
   * and skipped when the library passes them on after the call. Not by closing the channel: the
   * broker would mark them redelivered, and they would count as calls whose worker died. A new
   * channel, not consuming yet, takes the old one's place.
   */
  private void pauseSharedWork() throws IOException {
    for (Iterator<Inbound> it = waiting.iterator(); it.hasNext(); ) {
      Inbound in = it.next();
      if (in.source() == Source.SHARED) {
        it.remove();
        handOvers.handOver(in);
      }
    }
    Channel old = shared;
    String oldTag = sharedTag;
    Channel fresh = old.getConnection().createChannel();
    fresh.basicQos(prefetch);
    fresh.confirmSelect();
    rebindWhenClosedByBroker(fresh);
    shared = fresh;
    sharedTag = null; // consumed again when the long call ends
    flushQuietly(); // the answered calls before the long one: closing would requeue them
    old.basicCancel(oldTag); // returns once the broker's cancel-ok has been read
    if (current.sharedConsumer != null) {
      handOvers.handOverHeld(old, oldTag);
    }
    sharedConsumerGone.thenRun(() -> loop.post(new Retire(old))); // after its last delivery's task
  }

  /**
   * The broker redelivered a call whose worker died: put it back with its attempt count raised, or
   * set it aside when it has killed too many workers already.
   */
  private void retryOrDeadLetter(Inbound in) throws IOException {
    long attempt = CallAttempts.of(true, in.props());
    Map<String, Object> headers = new HashMap<>(in.props().getHeaders() == null ? Map.of() : in.props().getHeaders());
    headers.put(Protocol.H_ATTEMPT, attempt);
    if (attempt > context.maxAttempts()) {
      String deadQueue = Protocol.deadLetterQueue(service);
      headers.put(Protocol.H_DEAD_REASON, "delivered " + attempt + " times; each time its worker died");
      shared.queueDeclare(deadQueue, true, false, false, queueArguments);
      if (!handOvers.publishConfirmed(shared, deadQueue, in.props().builder().headers(headers).build(), in.body())) {
        requeue(in);
        return;
      }
      log.warn("{}: call {} dead-lettered to {} after {} deliveries", service, in.props().getCorrelationId(), deadQueue, attempt);
      refuse(in, ErrorCode.DEAD_LETTERED, "the call was delivered " + attempt + " times and its worker died each time; "
          + "it was moved to " + deadQueue);
      return;
    }
    if (handOvers.publishConfirmed(shared, sharedQueue, in.props().builder().headers(headers).build(), in.body())) {
      ack(in);
    } else {
      requeue(in);
    }
  }

  // ---- leases ------------------------------------------------------------------------------

  private void grant(Inbound in) throws IOException {
    AMQP.BasicProperties props = in.props();
    String leaseId = Messages.header(props, Protocol.H_LEASE);
    if (System.currentTimeMillis() > Messages.longHeader(props, Protocol.H_DEADLINE, Long.MAX_VALUE)) {
      ack(in); // the acquirer has given up; granting would leak the instance
      return;
    }
    if (leaseId == null) {
      refuse(in, ErrorCode.BAD_REQUEST, "acquire without a " + Protocol.H_LEASE + " header");
      return;
    }
    lease.grant(leaseId, Messages.longHeader(props, Protocol.H_LEASE_TTL, 0), System.nanoTime());
    shared.basicCancel(sharedTag);
    sharedTag = null;
    replies.reply(props, Protocol.T_GRANT, Protocol.STATUS_OK, Map.of(
        Protocol.H_LEASE, leaseId,
        Protocol.H_SERVICE, service.value(),
        Protocol.H_INSTANCE, number,
        Protocol.H_WORKER, context.workerId()), new byte[0], Protocol.JSON);
    ack(in);
    context.onLeaseChange().run();
  }

  private void release(Inbound in) throws IOException {
    String leaseId = Messages.header(in.props(), Protocol.H_LEASE);
    if (lease.isHeldBy(leaseId)) {
      endLease(null);
    }
    replies.replyOk(in.props(), new byte[0]); // idempotent: releasing a gone lease is fine
  }

  private void endLease(String why) throws IOException {
    if (why != null) {
      log.info("{}#{}: lease {} {}", service, number, lease.holder(), why);
    }
    lease.end();
    if (stopping == null) {
      consumeShared();
    }
    context.onLeaseChange().run();
  }

  // ---- stopping ----------------------------------------------------------------------------

  private boolean beginStop(Stop stop) throws IOException {
    if (stopping != null) {
      // A second stop (a terminate during a drain, or the reverse) ends with the first: taking its
      // place would leave the first one's future never completed.
      boolean deleteQueue = stopping.deleteQueue() || stop.deleteQueue();
      stopping = new Stop(deleteQueue, stopping.done());
      stopping.done().whenComplete((ignored, failure) -> stop.done().complete(null));
      return false;
    }
    stopping = stop;
    try {
      if (sharedTag != null) {
        shared.basicCancel(sharedTag);
        sharedTag = null;
      }
      own.basicCancel(ownTag);
    } catch (IOException | RuntimeException e) {
      log.warn("stopping {}#{}: {}", service, number, e.toString());
    }
    for (Inbound in; (in = waiting.poll()) != null; ) {
      handBack(in);
    }
    if (current != null && callIsExitingTheJvm()) {
      // Service code called System.exit: that call never returns. Treat it as a crash: no reply,
      // no ack, so the broker redelivers it (and counts the attempt) when the channel closes.
      log.warn("{}#{}: call {} is exiting the JVM; it will be redelivered", service, number,
          current.in.props().getCorrelationId());
      if (current.sharedConsumer != null) {
        // Its consumer thread never returns, so neither do the calls the library holds behind it:
        // closing the channel requeues them, marked redelivered as in a crash.
        sharedConsumerGone = CompletableFuture.completedFuture(null);
      }
      current = null;
    }
    return current == null ? finishStop() : false; // else: when the running call finishes
  }

  /** An unstarted delivery at stop: shared calls go back to the queue, leased ones get an answer. */
  private void handBack(Inbound in) throws IOException {
    if (in.source() == Source.SHARED) {
      handOvers.handOver(in);
    } else {
      replies.replyError(in.props(), ErrorCode.LOST_INSTANCE, service + "#" + number + " is shutting down");
    }
  }

  private boolean finishStop() {
    try {
      awaitLastDeliveries(sharedConsumerGone, "shared"); // then hand them over below: closing would requeue them
      for (InstanceTask task; (task = loop.poll()) != null; ) {
        if (task instanceof Inbound in) {
          handBack(in);
        } else if (task instanceof Revoke revoke) {
          replies.replyOk(revoke.request(), new byte[0]);
        } else if (task instanceof Stop other) {
          other.done().complete(null);
        } else if (task instanceof Retire retire) {
          Channels.closeQuietly(retire.channel());
        }
      }
      if (stopping.deleteQueue()) {
        own.queueDelete(instanceQueue);
      }
    } catch (IOException | RuntimeException e) {
      log.warn("stopping {}#{}: {}", service, number, e.toString());
    } finally {
      callThread.shutdownNow();
      flushQuietly();
      Channels.closeQuietly(shared); // closing requeues anything still unacknowledged
      Channels.closeQuietly(own);
      stopping.done().complete(null);
    }
    return true;
  }

  /**
   * Waits until a cancelled or closed consumer has passed the loop what the client library still
   * held for it (calls that waited behind one running on its thread, or on their way as its
   * channel closed): they are then queued for the loop, where they can be answered or handed over.
   */
  private void awaitLastDeliveries(CompletableFuture<Void> gone, String which) {
    try {
      gone.get(Channels.BROKER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      log.warn("{}#{}: the {} consumer did not end: {}", service, number, which, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** True when the call thread is inside {@code System.exit} (and so waits for this very drain). */
  private boolean callIsExitingTheJvm() {
    Thread thread = current.runner;
    if (thread == null) {
      return false;
    }
    for (StackTraceElement frame : thread.getStackTrace()) {
      if ("java.lang.Shutdown".equals(frame.getClassName()) && "exit".equals(frame.getMethodName())) {
        return true;
      }
    }
    return false;
  }

  // ---- plumbing ----------------------------------------------------------------------------

  /** True for a call in the form of Warren's first protocol, which named its method in a header. */
  private static boolean firstFormCall(AMQP.BasicProperties props) {
    return props.getHeaders() != null && props.getHeaders().containsKey(Protocol.H_FIRST_FORM_METHOD);
  }

  /** Answers with an error and acknowledges. */
  private void refuse(Inbound in, ErrorCode code, String message) throws IOException {
    replies.replyError(in.props(), code, message);
    ack(in);
  }

  private void ack(Inbound in) throws IOException {
    if (onLiveSharedChannel(in)) {
      shared.basicAck(in.tag(), false);
    }
  }

  /**
   * True for a shared delivery whose channel still lives: the only kind that needs an ack
   * (instance-queue deliveries are auto-acknowledged; a dead channel's deliveries were requeued).
   */
  private boolean onLiveSharedChannel(Inbound in) {
    return in.source() == Source.SHARED && in.channel() == shared && shared.isOpen();
  }

  /**
   * Returns a shared delivery to its queue, if its channel still lives (else the broker did
   * already), marked redelivered: only where {@link CallHandOver#handOver} could not.
   */
  private void requeue(Inbound in) throws IOException {
    if (in.channel() == shared && shared.isOpen()) {
      shared.basicNack(in.tag(), false, true);
    }
  }

  private String queueOf(Inbound in) {
    return in.source() == Source.SHARED ? sharedQueue : instanceQueue;
  }

  /** Acknowledges the answered calls before their channel closes; a failure must not stop the closing. */
  private void flushQuietly() {
    try {
      answered.flush();
    } catch (IOException | RuntimeException e) {
      log.warn("{}#{}: acknowledging answered calls: {}", service, number, e.toString());
    }
  }

}
