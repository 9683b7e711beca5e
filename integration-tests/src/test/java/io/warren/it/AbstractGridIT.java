package io.warren.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.AcquireTimeoutException;
import io.warren.grid.BadRequestException;
import io.warren.grid.CallTimeoutException;
import io.warren.grid.Grid;
import io.warren.grid.GridUnavailableException;
import io.warren.grid.InstanceInfo;
import io.warren.grid.InvalidServiceInterfaceException;
import io.warren.grid.Lease;
import io.warren.grid.LeaseReleasedException;
import io.warren.grid.Outcome;
import io.warren.grid.PublishFailedException;
import io.warren.grid.PublishOptions;
import io.warren.grid.RemoteException;
import io.warren.grid.ServiceId;
import io.warren.grid.UnknownMethodException;
import io.warren.grid.UnknownServiceException;
import io.warren.grid.WireFormat;
import io.warren.grid.spi.Codec;
import io.warren.worker.LocalWorkers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The grid's behaviour end to end — real broker, two real worker JVMs — written once and run
 * against every broker Warren supports (one subclass per broker).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractGridIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  static final int WORKER_MESSAGE_LIMIT = 64 * 1024;
  static final int CLIENT_MESSAGE_LIMIT = 256 * 1024;

  protected BrokerUnderTest broker;
  protected Grid grid;

  /** Starts the broker this suite runs against. */
  protected abstract BrokerUnderTest startBroker() throws Exception;

  @BeforeAll
  void startGrid() throws Exception {
    broker = startBroker();
    grid = Grid.builder()
        .broker(broker.uri())
        .credentials(broker.username(), broker.password())
        .workers(LocalWorkers.builder()
            .count(2)
            .slots(2)
            .heartbeatInterval(Duration.ofMillis(500))
            .logDirectory(Path.of("target", "worker-logs", getClass().getSimpleName()))
            .workerArguments(List.of("--max-message-bytes", Integer.toString(WORKER_MESSAGE_LIMIT)))
            .build())
        .callTimeout(Duration.ofSeconds(60))
        .maxMessageBytes(CLIENT_MESSAGE_LIMIT)
        .build();
  }

  @AfterAll
  void stopGrid() throws Exception {
    try {
      if (grid != null) {
        grid.close();
      }
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }

  @Test
  void statelessCallsSpreadOverAllFourInstances() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(4));
    Map<String, Long> perWorker = grid.describe(id).instances().stream()
        .collect(Collectors.groupingBy(InstanceInfo::workerId, Collectors.counting()));
    assertEquals(Map.of(2L, 2L), perWorker.values().stream().collect(Collectors.groupingBy(n -> n, Collectors.counting())),
        "4 instances over 2 workers, 2 each: " + perWorker);

    Tally any = grid.proxy(id, Tally.class);
    List<Integer> inputs = IntStream.range(0, 1000).boxed().toList();
    List<Outcome<Tally.Hit>> outcomes = Grid.map(any, inputs, 16, Tally::hit).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    Map<String, Integer> callsPerInstance = new java.util.HashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      Tally.Hit hit = outcomes.get(i).value();
      assertEquals(2L * i, hit.doubled());
      callsPerInstance.merge(hit.token(), 1, Integer::sum);
    }
    assertEquals(4, callsPerInstance.size(), "every instance took calls: " + callsPerInstance);
    callsPerInstance.values().forEach(n -> assertTrue(n >= 50, "each instance gets a share: " + callsPerInstance));
    grid.terminate(id);
  }

  @Test
  void theClientLibrarysThreadsAreNamedAfterTheGridsConnection() {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
    assertEquals(4, grid.proxy(id, Tally.class).hit(2).doubled()); // the reply came through amqp-client's consumer threads
    List<String> names = Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList();
    assertTrue(names.stream().anyMatch(n -> n.startsWith("warren-client-amqp-")), "thread names: " + names);
    grid.terminate(id);
  }

  @Test
  void overloadsDispatchOnTheFullSignature() {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
    Tally tally = grid.proxy(id, Tally.class);
    assertEquals(20, tally.hit(10).doubled());
    assertEquals(21, tally.hit(10L).doubled());
    assertTrue(tally.toString().startsWith("TallyProxy["), "toString stays local: " + tally);
    assertEquals(tally, tally);
    grid.terminate(id);
  }

  @Test
  void twoLeasesHoldTwoInstancesWithTheirOwnState() {
    ServiceId id = grid.publish(new TallyService(5), PublishOptions.defaults().instances(2));
    try (Lease<Tally> first = grid.acquire(id, Tally.class, WAIT);
        Lease<Tally> second = grid.acquire(id, Tally.class, WAIT)) {
      assertNotEquals(first.instance(), second.instance());
      assertNotEquals(first.service().token(), second.service().token());
      first.service().set(42);
      assertEquals(42, first.service().get());
      assertEquals(5, second.service().get(), "state set through one lease is not seen through the other");
      String firstToken = first.service().token();
      for (int i = 0; i < 20; i++) {
        assertEquals(firstToken, first.service().hit(i).token(), "every leased call reaches the same instance");
      }
    }
    grid.terminate(id);
  }

  @Test
  void aWaitingAcquireGetsTheInstanceTheMomentItIsReleased() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(2));
    Lease<Tally> first = grid.acquire(id, Tally.class, WAIT);
    Lease<Tally> second = grid.acquire(id, Tally.class, WAIT);
    CompletableFuture<Lease<Tally>> third = grid.acquireAsync(id, Tally.class, WAIT);
    Thread.sleep(300);
    assertFalse(third.isDone(), "all instances are leased, so the third acquire waits");

    first.close();
    Lease<Tally> granted = third.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(first.instance(), granted.instance());
    assertThrows(LeaseReleasedException.class, () -> first.service().get());
    granted.close();
    second.close();
    grid.terminate(id);
  }

  @Test
  void acquireTimesOutWithATypedErrorAndLeavesNoInstanceHeld() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
    Lease<Tally> held = grid.acquire(id, Tally.class, WAIT);
    AcquireTimeoutException timeout =
        assertThrows(AcquireTimeoutException.class, () -> grid.acquire(id, Tally.class, Duration.ofMillis(300)));
    assertTrue(timeout.getMessage().contains(id.value()), timeout.getMessage());
    held.close();
    held.released().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    // The expired acquire still sat in the queue; it must not have taken the instance.
    try (Lease<Tally> again = grid.acquire(id, Tally.class, Duration.ofSeconds(10))) {
      assertEquals(held.instance(), again.instance());
    }
    grid.terminate(id);
  }

  @Test
  void aCancelledAcquireLeavesNoInstanceHeld() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
    for (int i = 0; i < 5; i++) {
      CompletableFuture<Lease<Tally>> abandoned = grid.acquireAsync(id, Tally.class, WAIT);
      if (!abandoned.cancel(true)) {
        abandoned.get().close(); // the grant won the race: a normal lease, released normally
      }
      // A grant that arrives after the cancel is given back at once, so the one instance is free.
      try (Lease<Tally> lease = grid.acquire(id, Tally.class, Duration.ofSeconds(10))) {
        assertEquals(0, lease.instance());
      }
    }
    grid.terminate(id);
  }

  @Test
  void aLeasesCallsRunInTheOrderTheyWereSent() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
    // Calls from many threads at once leave the client holding many publishing channels; RabbitMQ
    // keeps order only within one channel.
    Tally any = grid.proxy(id, Tally.class);
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(32);
    try {
      List<CompletableFuture<Integer>> concurrent = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        concurrent.add(CompletableFuture.supplyAsync(any::get, threads));
      }
      join(concurrent);
    } finally {
      threads.shutdown();
    }
    List<Integer> sent = IntStream.range(0, 300).boxed().toList();
    try (Lease<Tally> lease = grid.acquire(id, Tally.class, WAIT)) {
      List<CompletableFuture<String>> calls = new ArrayList<>();
      for (int value : sent) {
        calls.add(lease.async(t -> t.appendSlowly(value, 0)));
      }
      join(calls);
      assertEquals(sent, lease.service().log(), "the instance ran the lease's calls in the order they were sent");
    }
    grid.terminate(id);
  }

  @Test
  void releaseTakesEffectAfterTheLastPipelinedCall() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
    Lease<Tally> lease = grid.acquire(id, Tally.class, WAIT);
    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int value = i;
      calls.add(lease.async(t -> t.appendSlowly(value, 20)));
    }
    lease.close(); // does not wait: the release queues behind the 10 calls
    assertFalse(calls.get(9).isDone(), "close() returned before the calls finished");

    try (Lease<Tally> next = grid.acquire(id, Tally.class, WAIT)) {
      assertEquals(IntStream.range(0, 10).boxed().toList(), next.service().log(),
          "all 10 calls ran, in order, before the instance was leased again");
    }
    String token = calls.get(0).get();
    for (CompletableFuture<String> call : calls) {
      assertEquals(token, call.get(), "all on the same instance");
    }
    grid.terminate(id);
  }

  @Test
  void releaseNowFailsTheLeasesQueuedCalls() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
    Lease<Tally> lease = grid.acquire(id, Tally.class, WAIT);
    CompletableFuture<String> running = lease.async(t -> t.appendSlowly(1, 1_500));
    List<CompletableFuture<String>> queued = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      queued.add(lease.async(t -> t.appendSlowly(2, 300)));
    }
    // Release only once the first call runs: a fixed sleep lost that race on a loaded CI machine,
    // and release-now rightly refused a first call that had not started yet.
    Heartbeats.await(grid, WAIT, "the leased call running on " + lease.workerId(), workers -> workers.stream()
        .filter(w -> w.id().equals(lease.workerId()) && w.busy() > 0).findFirst());
    lease.releaseNow().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    // The call that was running when the lease was revoked finishes normally.
    assertEquals(36, running.get(WAIT.toSeconds(), TimeUnit.SECONDS).length());
    int refused = 0;
    for (CompletableFuture<String> call : queued) {
      ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(WAIT.toSeconds(), TimeUnit.SECONDS));
      assertInstanceOf(LeaseReleasedException.class, e.getCause());
      refused++;
    }
    assertEquals(5, refused);
    try (Lease<Tally> next = grid.acquire(id, Tally.class, WAIT)) {
      assertEquals(List.of(1), next.service().log(), "only the call that was running when released ran");
    }
    grid.terminate(id);
  }

  @Test
  void remoteExceptionArrivesWithClassMessageAndStack() {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
    Tally tally = grid.proxy(id, Tally.class);
    RemoteException e = assertThrows(RemoteException.class, () -> tally.boom("no fuel"));
    assertEquals("java.lang.IllegalStateException", e.remoteClassName());
    assertEquals("no fuel", e.remoteMessage());
    assertTrue(e.remoteStack().stream().anyMatch(f -> f.getClassName().equals(TallyService.class.getName())),
        "the remote stack shows where the service threw");
    assertEquals(7, tally.get() + 7, "the instance keeps serving after a failed call");
    grid.terminate(id);
  }

  @Test
  void unknownServiceAndUnknownMethodAreTypedErrors() {
    Tally missing = grid.proxy(new ServiceId("no-such-service"), Tally.class);
    assertThrows(UnknownServiceException.class, () -> missing.get());
    assertThrows(UnknownServiceException.class, () -> grid.lookup("no-such-service"));

    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
    UnknownMethodException e = assertThrows(UnknownMethodException.class, () -> grid.proxy(id, Unrelated.class).nothing());
    assertTrue(e.getMessage().contains(Unrelated.class.getName()), e.getMessage());
    grid.terminate(id);
    assertThrows(UnknownServiceException.class, () -> grid.proxy(id, Tally.class).get(), "terminated means gone");
  }

  @Test
  void namedServicesAreFoundByName() {
    ServiceId id = grid.publish(new TallyService(9), PublishOptions.defaults().named("tally-" + getClass().getSimpleName()).instances(1));
    ServiceId found = grid.lookup("tally-" + getClass().getSimpleName());
    assertEquals(id, found);
    assertEquals(9, grid.proxy(found, Tally.class).get());
    assertThrows(PublishFailedException.class,
        () -> grid.publish(new TallyService(), PublishOptions.defaults().named(id.value())), "names are unique");
    grid.terminate(id);
  }

  @Test
  void badServicesAreRejectedBeforeAnythingIsSent() {
    assertThrows(InvalidServiceInterfaceException.class, () -> grid.publish(new Object()));
    Unrelated anonymous = new Unrelated() {
      @Override
      public int nothing() {
        return 0;
      }
    };
    assertThrows(InvalidServiceInterfaceException.class, () -> grid.publish(anonymous));
  }

  @Test
  void asyncMethodsAndAsyncCallsOfSyncMethods() throws Exception {
    ServiceId id = grid.publish(new TallyService(3), PublishOptions.defaults().instances(2));
    Tally tally = grid.proxy(id, Tally.class);
    assertEquals(49, tally.squareAsync(7).get(WAIT.toSeconds(), TimeUnit.SECONDS));
    CompletableFuture<Integer> value = Grid.async(tally, Tally::get);
    assertEquals(3, value.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    CompletableFuture<Void> done = Grid.runAsync(tally, t -> t.set(3));
    done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    // Callbacks run off the transport threads, so a callback may itself make a blocking call.
    int chained = Grid.async(tally, t -> t.hit(1)).thenApply(hit -> tally.get()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(3, chained);
    assertThrows(IllegalArgumentException.class, () -> Grid.async(tally, t -> t.get() + t.get()), "one call per async lambda");
    grid.terminate(id);
  }

  @Test
  void manyCallbacksBlockedOnFurtherCallsAllComplete() throws Exception {
    ServiceId id = grid.publish(new TallyService(5), PublishOptions.defaults().instances(2));
    Tally tally = grid.proxy(id, Tally.class);
    // Far more callbacks than the callback pool has threads, each waiting for a call of its own
    // (sync, or joining an async one) whose reply is completed on that same pool.
    List<CompletableFuture<Integer>> chained = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      chained.add(Grid.async(tally, t -> t.hit(1)).thenApply(hit -> tally.get()));
      chained.add(Grid.async(tally, t -> t.hit(2)).thenApply(hit -> Grid.async(tally, Tally::get).join()));
    }
    CompletableFuture.allOf(chained.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    chained.forEach(c -> assertEquals(5, c.join()));
    grid.terminate(id);
  }

  @Test
  void callbacksOnLeaseFuturesMayMakeBlockingCalls() throws Exception {
    ServiceId id = grid.publish(new TallyService(6), PublishOptions.defaults().instances(1));
    Tally any = grid.proxy(id, Tally.class);
    // The grant and the release confirmation arrive as replies: a callback run on the thread that
    // delivered one would wait for a reply queued behind it, for ever.
    int onGrant = grid.acquireAsync(id, Tally.class, WAIT).thenApply(lease -> {
      try (lease) {
        return lease.service().get();
      }
    }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(6, onGrant);
    Lease<Tally> lease = grid.acquire(id, Tally.class, WAIT);
    CompletableFuture<Integer> afterRelease = lease.released().thenApply(released -> any.get());
    lease.close();
    assertEquals(6, afterRelease.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    grid.terminate(id);
  }

  @Test
  void cancellingAFutureCancelsTheCall() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
    Lease<Tally> lease = grid.acquire(id, Tally.class, WAIT);
    CompletableFuture<String> slow = lease.async(t -> t.appendSlowly(1, 500));
    CompletableFuture<String> doomed = lease.async(t -> t.appendSlowly(2, 0));
    assertTrue(doomed.cancel(true));
    slow.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(List.of(1), lease.service().log(), "the cancelled call never ran");
    lease.close();
    grid.terminate(id);
  }

  @Test
  void cancellingARunningCallInterruptsItOnTheWorker() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
    Tally tally = grid.proxy(id, Tally.class);
    CompletableFuture<String> waiting = Grid.async(tally, t -> t.waitFor(60_000));
    Thread.sleep(500); // it is running now
    assertTrue(waiting.cancel(true));
    // The only instance is free again long before the 60 s wait would have ended.
    assertEquals(List.of(-1), Grid.async(tally, Tally::log).get(WAIT.toSeconds(), TimeUnit.SECONDS),
        "the running call saw the interrupt");
    assertEquals("slept", tally.waitFor(10), "the interrupt ended with its call");
    grid.terminate(id);
  }

  @Test
  void aCallPastItsTimeoutFailsWithTheTypedTimeout() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
    Tally impatient = grid.proxy(id, Tally.class, Duration.ofMillis(300));
    CallTimeoutException e = assertThrows(CallTimeoutException.class, () -> impatient.waitFor(5_000));
    assertTrue(e.getMessage().contains("waitFor(int)"), e.getMessage());
    assertEquals(0, grid.proxy(id, Tally.class).get(), "the instance serves again once the slow call ends");
    grid.terminate(id);
  }

  @Test
  void oversizedCallsAreRefusedOnBothSides() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
    Tally tally = grid.proxy(id, Tally.class);
    String tooBigForTheClient = "x".repeat(CLIENT_MESSAGE_LIMIT + 1);
    BadRequestException client = assertThrows(BadRequestException.class, () -> tally.boom(tooBigForTheClient));
    assertTrue(client.getMessage().contains("Tally.boom"), client.getMessage());
    String tooBigForTheWorker = "x".repeat(WORKER_MESSAGE_LIMIT + 1);
    BadRequestException worker = assertThrows(BadRequestException.class, () -> tally.boom(tooBigForTheWorker));
    assertTrue(worker.getMessage().contains("limit of " + WORKER_MESSAGE_LIMIT), worker.getMessage());
    assertEquals(0, tally.get(), "the worker keeps serving");
    grid.terminate(id);
  }

  /**
   * A call message as JSON text: {@code [interface, method, deadline, lease, chunk, arguments]} with
   * {@code arguments} (JSON text) as its last element; a null {@code lease} is JSON null.
   */
  private static String callBody(String interfaceName, String method, long deadline, String lease, Object chunk,
      String arguments) {
    return "[\"" + interfaceName + "\",\"" + method + "\"," + deadline + "," + (lease == null ? "null" : "\"" + lease + "\"")
        + "," + chunk + "," + arguments + "]";
  }

  @Test
  void badInputGetsATypedErrorAndTheWorkerKeepsServing() throws Exception {
    ServiceId id = grid.publish(new TallyService(21), PublishOptions.defaults().instances(1));
    String queue = "warren.service." + id.value();
    String tally = Tally.class.getName();
    long future = System.currentTimeMillis() + 60_000;
    record Case(String what, String body, String code, String message) {}
    List<Case> cases = List.of(
        new Case("garbage bytes", "\u0000\u0001\u00ff garbage", "BAD_REQUEST", "[interface, method, deadline, lease, chunk, arguments]"),
        new Case("truncated JSON", callBody(tally, "hit(int)", future, null, 0, "[4").replaceAll("]$", ""), "BAD_REQUEST", "does not end"),
        new Case("not an array", "{\"x\":1}", "BAD_REQUEST", "it is not an array"),
        new Case("the arguments without an envelope", "[1]", "BAD_REQUEST", "element 0, the interface, is not a string"),
        new Case("no deadline", "[\"" + tally + "\",\"hit(int)\",null,null,0,[1]]", "BAD_REQUEST", "the deadline"),
        new Case("wrong argument count", callBody(tally, "hit(int)", future, null, 0, "[1, 2]"), "BAD_REQUEST", "expected 1 arguments, got 2"),
        new Case("wrong argument type", callBody(tally, "hit(int)", future, null, 0, "[\"seven\"]"), "BAD_REQUEST", "argument 0"),
        new Case("a type the interface does not declare",
            callBody(tally, "hit(int)", future, null, 0, "[{\"@class\":\"java.net.URL\",\"x\":1}]"), "BAD_REQUEST", "argument 0"),
        new Case("unknown interface", callBody("com.example.Evil", "run()", future, null, 0, "[]"), "UNKNOWN_METHOD", "com.example.Evil"),
        new Case("unknown method", callBody(tally, "launch(int)", future, null, 0, "[1]"), "UNKNOWN_METHOD", "launch(int)"),
        new Case("expired", callBody(tally, "hit(int)", 1L, null, 0, "[1]"), "CALL_TIMEOUT", "deadline passed"),
        new Case("a lease the instance does not hold", callBody(tally, "hit(int)", future, "no-such-lease", 0, "[1]"),
            "LEASE_RELEASED", "no-such-lease"),
        new Case("oversized", callBody(tally, "hit(int)", future, null, 0, "[" + "1".repeat(WORKER_MESSAGE_LIMIT) + "]"),
            "BAD_REQUEST", "limit of " + WORKER_MESSAGE_LIMIT),
        new Case("a method that throws", callBody(tally, "boom(java.lang.String)", future, null, 0, "[\"bad\"]"), "REMOTE", "bad"));
    Tally proxy = grid.proxy(id, Tally.class);
    try (RawAmqpClient raw = new RawAmqpClient(broker)) {
      for (Case c : cases) {
        RawAmqpClient.Received reply = raw.call(queue, null, c.body().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertEquals("error", reply.header("warren-status"), c.what() + ": " + reply.body());
        assertTrue(reply.body().contains("\"code\":\"" + c.code() + "\"") && reply.body().contains(c.message()),
            c.what() + ": " + reply.body());
        assertEquals(21, proxy.get(), "still serving after " + c.what());
      }
      // A client of Warren's first protocol named the method in headers and sent the arguments alone.
      RawAmqpClient.Received firstForm = raw.call(queue,
          Map.of("warren-interface", tally, "warren-method", "hit(int)", "warren-deadline", future),
          "[1]".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertTrue(firstForm.body().contains("\"code\":\"BAD_REQUEST\"") && firstForm.body().contains("older than this worker"),
          firstForm.body());
      raw.send(queue, null, callBody(tally, "hit(int)", future, null, 0, "[1]").getBytes(java.nio.charset.StandardCharsets.UTF_8), null);
      assertEquals(21, proxy.get(), "still serving after a call without reply-to");
    }
    grid.terminate(id);
  }

  @Test
  void malformedHeartbeatsAreDroppedAndTheClientKeepsHearingItsWorkers() throws Exception {
    List<String> malformed = List.of(
        "not json",
        "{\"state\":\"UP\",\"intervalMillis\":500}",
        "{\"workerId\":\"w-bad-service\",\"state\":\"UP\",\"intervalMillis\":500,"
            + "\"instances\":[{\"service\":\"not a service id\",\"number\":0}]}",
        "{\"workerId\":\"w-bad-interval\",\"state\":\"UP\",\"intervalMillis\":" + Long.MAX_VALUE + "}");
    try (RawAmqpClient raw = new RawAmqpClient(broker)) {
      for (String heartbeat : malformed) {
        raw.publish("warren.events", "worker.bad", heartbeat.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    // Past three heartbeat intervals (500 ms): a client deaf since the bad messages would have
    // dropped both workers as silent, and one that took a bad one would list a third.
    java.time.Instant later = java.time.Instant.now().plusSeconds(2);
    Heartbeats.await(grid, WAIT, "both workers, and only them, heard from 2 s after the malformed heartbeats",
        workers -> workers.size() == 2 && workers.stream().allMatch(w -> w.lastHeartbeat().isAfter(later))
            ? java.util.Optional.of(workers) : java.util.Optional.empty());
    ServiceId id = grid.publish(new TallyService(5), PublishOptions.defaults().instances(2));
    assertEquals(5, grid.proxy(id, Tally.class).get());
    grid.terminate(id);
  }

  @Test
  void resultsCompleteOnTheCallersExecutorWhichCloseLeavesRunning() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
    ExecutorService mine = Executors.newSingleThreadExecutor(run -> new Thread(run, "test-callbacks"));
    try {
      try (Grid own = Grid.builder().broker(broker.uri()).credentials(broker.username(), broker.password())
          .callbackExecutor(mine).callTimeout(WAIT).build()) {
        // The executor's one thread is held until the callback is attached, so the result cannot
        // complete before it (it completes on that thread, behind this task).
        CountDownLatch attached = new CountDownLatch(1);
        mine.execute(() -> {
          try {
            attached.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        CompletableFuture<String> where = Grid.async(own.proxy(id, Tally.class), t -> t.hit(3))
            .thenApply(hit -> hit.doubled() + " on " + Thread.currentThread().getName());
        attached.countDown();
        assertEquals("6 on test-callbacks", where.get(WAIT.toSeconds(), TimeUnit.SECONDS));
      }
      assertFalse(mine.isShutdown(), "the grid must not shut down an executor it was given");
      assertEquals(1, mine.submit(() -> 1).get(WAIT.toSeconds(), TimeUnit.SECONDS));
    } finally {
      mine.shutdownNow();
    }
    grid.terminate(id);
  }

  @Test
  void afterCloseAcquireFailsWithATypedErrorAndAnOpenLeasesReleaseCompletes() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
    Grid own = Grid.builder().broker(broker.uri()).credentials(broker.username(), broker.password())
        .callTimeout(WAIT).build();
    Lease<Tally> lease = own.acquire(id, Tally.class, WAIT);
    own.close(); // shuts down the grid's own callback pool
    // Both used to wait for ever: the pool refused the task that completes them.
    ExecutionException acquire = assertThrows(ExecutionException.class,
        () -> own.acquireAsync(id, Tally.class, WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertInstanceOf(GridUnavailableException.class, acquire.getCause());
    lease.close();
    lease.released().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    grid.terminate(id);
  }

  @Test
  void aDirectCallbackExecutorRunsCallbacksWhereRepliesArriveAndRefusesToBlockThere() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
    try (Grid direct = Grid.builder().broker(broker.uri()).credentials(broker.username(), broker.password())
        .callbackExecutor(Runnable::run).callTimeout(WAIT).build()) {
      Tally tally = direct.proxy(id, Tally.class);
      // The one instance is busy until the first call is cancelled, so the callback below is
      // attached before the second call's reply arrives and runs where that reply arrives. The test
      // thread must not touch that call's future meanwhile: a get() there may run its callbacks itself.
      CompletableFuture<String> busy = Grid.async(tally, t -> t.waitFor(60_000));
      CompletableFuture<Tally.Hit> queued = Grid.async(tally, t -> t.hit(4));
      CompletableFuture<List<String>> seen = queued.thenApply(hit -> {
        List<String> outcomes = new ArrayList<>(List.of(hit.doubled() + " on " + Thread.currentThread().getName()));
        List<Runnable> blocking = List.of(() -> tally.hit(5), () -> direct.acquire(id, Tally.class, WAIT), direct::close);
        for (Runnable step : blocking) {
          try {
            step.run();
            outcomes.add("ran");
          } catch (RuntimeException e) {
            outcomes.add(e.getClass().getSimpleName() + ": " + e.getMessage());
          }
        }
        return outcomes;
      });
      busy.cancel(true);

      List<String> outcomes = seen.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertTrue(outcomes.get(0).startsWith("8 on warren-client-amqp-"), outcomes.toString());
      List<String> refused = List.of("Tally.hit", "acquire", "close");
      for (int i = 0; i < refused.size(); i++) {
        String outcome = outcomes.get(i + 1);
        assertTrue(outcome.startsWith("IllegalStateException: " + refused.get(i) + " would block thread warren-client-amqp-")
            && outcome.contains("direct callback executor"), outcome);
      }
      assertEquals(10, Grid.async(tally, t -> t.hit(5)).get(WAIT.toSeconds(), TimeUnit.SECONDS).doubled(),
          "the refused close closed nothing");
      assertEquals(12, tally.hit(6).doubled(), "synchronous calls from the caller's own thread still work");
    }
    grid.terminate(id);
  }

  @Test
  void cborCallsBehaveAsJsonOnesAndWorkersAnswerInTheRequestsFormat() throws Exception {
    ServiceId id = grid.publish(new TallyService(3), PublishOptions.defaults().instances(2));
    try (Grid cbor = Grid.builder().broker(broker.uri()).credentials(broker.username(), broker.password())
        .wireFormat(WireFormat.CBOR).callTimeout(WAIT).build()) {
      Tally tally = cbor.proxy(id, Tally.class);
      assertEquals(20, tally.hit(10).doubled(), "a record result");
      assertEquals(21, tally.hit(10L).doubled(), "overloads");
      assertEquals(49, tally.squareAsync(7).get(WAIT.toSeconds(), TimeUnit.SECONDS), "an async method");
      assertEquals("cbor", assertThrows(RemoteException.class, () -> tally.boom("cbor")).remoteMessage(),
          "error replies (always JSON) reach a CBOR client");
      try (Lease<Tally> lease = cbor.acquire(id, Tally.class, WAIT)) {
        lease.service().appendSlowly(4, 0);
        lease.service().appendSlowly(5, 0);
        assertEquals(List.of(4, 5), lease.service().log(), "a list result, on the leased instance");
      }
      assertEquals(20, grid.proxy(id, Tally.class).hit(10).doubled(), "JSON clients share the same workers");
    }
    String queue = "warren.service." + id.value();
    byte[] hitFive = callBody(Tally.class.getName(), "hit(int)", System.currentTimeMillis() + 60_000, null, 0, "[5]")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try (RawAmqpClient raw = new RawAmqpClient(broker)) {
      byte[] cborHitFive = Codec.cbor().mapper().writeValueAsBytes(Codec.json().mapper().readTree(hitFive));
      RawAmqpClient.Received reply = raw.call(queue, null, cborHitFive, "application/cbor");
      assertEquals("ok", reply.header("warren-status"), reply.body());
      assertEquals("application/cbor", reply.props().getContentType());
      assertEquals(10L, Codec.cbor().mapper().readValue(reply.bytes(), Tally.Hit.class).doubled());
      RawAmqpClient.Received unknown = raw.call(queue, null, hitFive, "application/x-java-serialized-object");
      assertEquals("error", unknown.header("warren-status"), unknown.body());
      assertEquals("application/json", unknown.props().getContentType(), "error replies are JSON");
      assertTrue(unknown.body().contains("\"code\":\"BAD_REQUEST\"") && unknown.body().contains("application/x-java-serialized-object"),
          unknown.body());
      RawAmqpClient.Received mislabelled = raw.call(queue, null, hitFive, "application/cbor");
      assertTrue(mislabelled.body().contains("\"code\":\"BAD_REQUEST\""), "JSON labelled as CBOR: " + mislabelled.body());
    }
    grid.terminate(id);
  }

  @Test
  void aChunkRunsItsCallsInOrderOnOneInstanceEachWithItsOwnOutcome() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(2));
    Tally any = grid.proxy(id, Tally.class);
    List<Tally.Hit> hits = join(Grid.asyncChunk(any, IntStream.range(0, 20).boxed().toList(), Tally::hit));
    assertEquals(IntStream.range(0, 20).mapToObj(i -> 2L * i).toList(), hits.stream().map(Tally.Hit::doubled).toList());
    assertEquals(1, hits.stream().map(Tally.Hit::token).distinct().count(), "one instance ran the chunk: " + hits);

    try (Lease<Tally> lease = grid.acquire(id, Tally.class, WAIT)) {
      // Item 3 throws (a negative sleep); the calls after it still run, in order.
      List<CompletableFuture<String>> appended = Grid.asyncChunk(lease.service(), List.of(1, 2, 3, 4, 5),
          (t, v) -> t.appendSlowly(v, v == 3 ? -1 : 0));
      RemoteException thrown = assertInstanceOf(RemoteException.class,
          assertThrows(ExecutionException.class, () -> appended.get(2).get(WAIT.toSeconds(), TimeUnit.SECONDS)).getCause());
      assertEquals(IllegalArgumentException.class.getName(), thrown.remoteClassName());
      String token = lease.service().token();
      for (int i : new int[] {0, 1, 3, 4}) {
        assertEquals(token, appended.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS));
      }
      assertEquals(List.of(1, 2, 4, 5), lease.service().log());

      // A lambda that calls another method starts another chunk; the order across chunks holds.
      List<CompletableFuture<String>> mixed = Grid.asyncChunk(lease.service(), List.of(6, 7, 8, 9),
          (t, v) -> v == 8 ? t.boom("eight") : t.appendSlowly(v, 0));
      assertEquals("eight", assertInstanceOf(RemoteException.class,
          assertThrows(ExecutionException.class, () -> mixed.get(2).get(WAIT.toSeconds(), TimeUnit.SECONDS)).getCause())
          .remoteMessage());
      join(List.of(mixed.get(0), mixed.get(1), mixed.get(3)));
      assertEquals(List.of(1, 2, 4, 5, 6, 7, 9), lease.service().log());
    }
    assertThrows(IllegalArgumentException.class, () -> Grid.asyncChunk(any, List.of(1, 2), (t, v) -> t.get() + t.get()),
        "one call per chunk lambda");
    grid.terminate(id);
  }

  @Test
  void chunkedMapsAndJobsGiveEveryItemItsOutcome() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(4));
    Tally any = grid.proxy(id, Tally.class);
    List<Integer> inputs = IntStream.range(0, 1000).boxed().toList();
    List<Outcome<Tally.Hit>> outcomes = Grid.map(any, inputs, 4, 50, Tally::hit).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(inputs.stream().map(i -> 2L * i).toList(), outcomes.stream().map(o -> o.value().doubled()).toList());
    assertTrue(outcomes.stream().map(o -> o.value().token()).distinct().count() >= 2,
        "20 chunks spread over the instances");

    io.warren.grid.Job<String> job = grid.mapJob(any, List.of(1, 2, 3, 4, 5, 6, 7), 2, 3,
        (t, v) -> t.appendSlowly(v, v == 5 ? -1 : 0));
    List<Outcome<String>> ended = job.done().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(List.of(true, true, true, true, false, true, true), ended.stream().map(Outcome::isSuccess).toList());
    assertEquals(io.warren.grid.JobStatus.FAILED, job.status());

    try (Grid cbor = Grid.builder().broker(broker.uri()).credentials(broker.username(), broker.password())
        .wireFormat(WireFormat.CBOR).callTimeout(WAIT).build()) {
      List<Tally.Hit> hits = join(Grid.asyncChunk(cbor.proxy(id, Tally.class), List.of(5, 6, 7), Tally::hit));
      assertEquals(List.of(10L, 12L, 14L), hits.stream().map(Tally.Hit::doubled).toList(), "chunks in CBOR");
    }
    grid.terminate(id);
  }

  @Test
  void cancellingEveryCallOfARunningChunkInterruptsIt() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
    Tally tally = grid.proxy(id, Tally.class);
    List<CompletableFuture<String>> waiting = Grid.asyncChunk(tally, List.of(60_000, 60_000), Tally::waitFor);
    Thread.sleep(500); // the first call is running now
    assertTrue(waiting.get(0).cancel(true));
    assertFalse(waiting.get(1).isDone(), "one call cancelled of two: the chunk goes on");
    assertTrue(waiting.get(1).cancel(true));
    assertEquals(List.of(-1), Grid.async(tally, Tally::log).get(WAIT.toSeconds(), TimeUnit.SECONDS),
        "the running call saw the interrupt and the chunk stopped");
    grid.terminate(id);
  }

  @Test
  void badChunksGetATypedErrorAndTheWorkerKeepsServing() throws Exception {
    ServiceId id = grid.publish(new TallyService(21), PublishOptions.defaults().instances(1));
    String queue = "warren.service." + id.value();
    long future = System.currentTimeMillis() + 60_000;
    Tally proxy = grid.proxy(id, Tally.class);
    record Case(String what, Object chunk, String body, String message) {}
    List<Case> cases = List.of(
        new Case("fewer calls than announced", 3, "[[1],[2]]", "announces 3 calls and holds 2"),
        new Case("more calls than announced", 1, "[[1],[2]]", "announces 1 calls and holds 2"),
        new Case("an item of the wrong type", 2, "[[1],[\"two\"]]", "chunk item 1"),
        new Case("not an array of arrays", 2, "[1,2]", "chunk item 0"),
        new Case("a negative count", -2, "[[1],[2]]", "count the calls of the chunk, was -2"),
        new Case("more calls than bytes", 1_000_000, "[[1],[2]]", "count the calls of the chunk, was 1000000"));
    try (RawAmqpClient raw = new RawAmqpClient(broker)) {
      for (Case c : cases) {
        String body = callBody(Tally.class.getName(), "hit(int)", future, null, c.chunk(), c.body());
        RawAmqpClient.Received reply = raw.call(queue, null, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("error", reply.header("warren-status"), c.what() + ": " + reply.body());
        assertTrue(reply.body().contains("\"code\":\"BAD_REQUEST\"") && reply.body().contains(c.message()),
            c.what() + ": " + reply.body());
        assertEquals(21, proxy.get(), "still serving after " + c.what());
      }
    }
    grid.terminate(id);
  }

  @Test
  void gatherReportsEverySuccessAndEveryFailure() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(4));
    Tally tally = grid.proxy(id, Tally.class);
    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int n = i;
      calls.add(Grid.async(tally, t -> n == 6 ? t.boom("six") : t.appendSlowly(n, 5)));
    }
    List<Outcome<String>> outcomes = Grid.gather(calls).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(9, outcomes.stream().filter(Outcome::isSuccess).count());
    Outcome<String> failed = outcomes.get(6);
    assertFalse(failed.isSuccess());
    assertEquals("six", assertInstanceOf(RemoteException.class, failed.failure()).remoteMessage());
    grid.terminate(id);
  }

  @Test
  void boundedMapNeverExceedsItsLimit() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(4));
    Tally tally = grid.proxy(id, Tally.class);
    int limit = 3;
    List<Outcome<Tally.Span>> spans = Grid.map(tally, IntStream.range(0, 12).boxed().toList(), limit, (t, i) -> t.span(40))
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    int maxConcurrent = maxOverlap(spans.stream().map(Outcome::value).toList());
    assertTrue(maxConcurrent <= limit, "at most " + limit + " calls ran at once, saw " + maxConcurrent);
    assertTrue(maxConcurrent >= 2, "the map did run calls concurrently, saw " + maxConcurrent);
    grid.terminate(id);
  }

  @Test
  void broadcastReachesEveryInstanceAndScatterGivesEachOneArgument() throws Exception {
    ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(3));
    List<CompletableFuture<Void>> set = new ArrayList<>();
    grid.<Tally, Void>broadcast(id, Tally.class, t -> {
      t.set(11);
      return null;
    }).forEach(set::add);
    Grid.gather(set).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    List<Integer> values = join(grid.broadcast(id, Tally.class, Tally::get));
    assertEquals(List.of(11, 11, 11), values);

    List<Tally.Hit> hits = join(grid.scatter(id, Tally.class, List.of(1, 2, 3), Tally::hit));
    assertEquals(List.of(2L, 4L, 6L), hits.stream().map(Tally.Hit::doubled).toList());
    assertEquals(3, hits.stream().map(Tally.Hit::token).distinct().count(), "one argument per instance");
    assertThrows(IllegalArgumentException.class, () -> grid.scatter(id, Tally.class, List.of(1), Tally::hit));
    grid.terminate(id);
  }

  private static <T> List<T> join(List<CompletableFuture<T>> futures) throws Exception {
    List<T> values = new ArrayList<>();
    for (CompletableFuture<T> future : futures) {
      values.add(future.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }
    return values;
  }

  /** The largest number of spans that overlap at one moment. */
  private static int maxOverlap(List<Tally.Span> spans) {
    List<long[]> edges = new ArrayList<>();
    for (Tally.Span span : spans) {
      edges.add(new long[] {span.startMicros(), 1});
      edges.add(new long[] {span.endMicros(), -1});
    }
    edges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1])); // ends before starts
    int current = 0;
    int max = 0;
    for (long[] edge : edges) {
      current += (int) edge[1];
      max = Math.max(max, current);
    }
    return max;
  }

}
