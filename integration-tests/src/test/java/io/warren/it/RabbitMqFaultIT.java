package io.warren.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.Protocol;
import io.warren.grid.AcquireTimeoutException;
import io.warren.grid.DeadLetteredException;
import io.warren.grid.Grid;
import io.warren.grid.GridUnavailableException;
import io.warren.grid.Lease;
import io.warren.grid.LostInstanceException;
import io.warren.grid.Outcome;
import io.warren.grid.PublishOptions;
import io.warren.grid.RetryRefusedException;
import io.warren.grid.ServiceId;
import io.warren.grid.WorkerInfo;
import io.warren.testing.ExecResult;
import io.warren.testing.RabbitMqBroker;
import io.warren.worker.LocalWorkers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/**
 * Faults on a real RabbitMQ node: workers killed mid-run, a client killed while holding a lease,
 * calls longer than the broker's consumer timeout, service code that exits its JVM, and secrets
 * kept out of command lines and logs. Each test is bounded in time and count; the figures are
 * printed for docs/reliability.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RabbitMqFaultIT {
  /** The broker closes a channel whose delivery stays unacknowledged longer than this. */
  private static final int CONSUMER_TIMEOUT_MILLIS = 5_000;
  private static final Duration HEARTBEAT = Duration.ofMillis(300);

  private RabbitMqBroker broker;
  private BrokerUnderTest endpoint;

  @BeforeAll
  void startBroker() {
    // The broker checks consumer timeouts on its channel tick, once a minute by default: tick every
    // second so the 5 s timeout is really enforced while a 15 s call runs.
    broker = RabbitMqBroker.builder()
        .config("consumer_timeout = " + CONSUMER_TIMEOUT_MILLIS)
        .advancedConfig("[{rabbit, [{channel_tick_interval, 1000}]}].")
        .start();
    endpoint = new BrokerUnderTest(broker.uri(), broker.username(), broker.password(), () -> {});
  }

  @AfterAll
  void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private Grid grid(TestInfo test, int workers, int slots, List<String> workerArguments) {
    return grid(test, workers, slots, workerArguments, 1);
  }

  private Grid grid(TestInfo test, int workers, int slots, List<String> workerArguments, int prefetch) {
    return Grid.builder()
        .broker(broker.uri())
        .credentials(broker.username(), broker.password())
        .prefetch(prefetch)
        .workers(LocalWorkers.builder().count(workers).slots(slots).heartbeatInterval(HEARTBEAT)
            .workerArguments(workerArguments)
            .logDirectory(logs(test)).build())
        .callTimeout(Duration.ofSeconds(90))
        .build();
  }

  /** One worker with one slot, heartbeats every {@code heartbeat}: for the tests that drop its connection. */
  private Grid gridOfOneWorker(TestInfo test, Duration heartbeat, Duration callTimeout, String... workerArguments) {
    return Grid.builder()
        .broker(broker.uri())
        .credentials(broker.username(), broker.password())
        .workers(LocalWorkers.builder().count(1).slots(1).heartbeatInterval(heartbeat)
            .workerArguments(List.of(workerArguments)).logDirectory(logs(test)).build())
        .callTimeout(callTimeout)
        .build();
  }

  private static Path logs(TestInfo test) {
    return Path.of("target", "worker-logs", "RabbitMqFaultIT", test.getTestMethod().orElseThrow().getName());
  }

  @Test
  void workerKilledMidRunLosesAndDuplicatesNothing(TestInfo test) throws Exception {
    try (Grid grid = grid(test, 2, 2, List.of())) {
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(4));
      Tally tally = grid.proxy(id, Tally.class);
      WorkerInfo victim = grid.workers().get(0);
      AtomicInteger done = new AtomicInteger();
      List<CompletableFuture<Tally.Hit>> calls = new ArrayList<>();
      List<Integer> inputs = IntStream.range(0, 1000).boxed().toList();
      CompletableFuture<List<Outcome<Tally.Hit>>> all = Grid.map(tally, inputs, 32, (t, i) -> {
        if (done.incrementAndGet() == 300) {
          ProcessHandle.of(victim.pid()).ifPresent(ProcessHandle::destroyForcibly); // mid-run, calls in flight
        }
        return t.hit(i);
      });
      List<Outcome<Tally.Hit>> outcomes = all.get(90, TimeUnit.SECONDS);
      int lost = 0;
      for (int i = 0; i < inputs.size(); i++) {
        Outcome<Tally.Hit> outcome = outcomes.get(i);
        if (!outcome.isSuccess() || outcome.value().doubled() != 2L * i) {
          lost++;
        }
      }
      System.out.printf("[figure] worker killed after 300 of 1000 calls: %d lost, %d results%n", lost, outcomes.size());
      assertEquals(0, lost, "every call completed with its own result: " + outcomes.stream().filter(o -> !o.isSuccess()).limit(3).toList());
      assertEquals(1000, outcomes.size());
      assertFalse(ProcessHandle.of(victim.pid()).map(ProcessHandle::isAlive).orElse(false));
    }
  }

  @Test
  void answeredCallsLeftOutOfAnAckBatchAreAcknowledgedWhenTheInstanceIdles(TestInfo test) throws Exception {
    // At prefetch 8 a worker acknowledges answered calls 4 at a time (one basic.ack multiple): of 7
    // calls, 3 are left over. Its sweep must acknowledge them, or they would stay unacknowledged
    // until the consumer timeout closed the channel and they ran again.
    try (Grid grid = grid(test, 1, 1, List.of(), 8)) {
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
      Tally tally = grid.proxy(id, Tally.class);
      for (int i = 0; i < 6; i++) {
        tally.appendSlowly(i, 0);
      }
      assertEquals(List.of(0, 1, 2, 3, 4, 5), tally.log());
      String queue = Protocol.serviceQueue(id);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      String unacknowledged = unacknowledged(queue);
      while (!unacknowledged.equals("0") && System.nanoTime() < deadline) {
        Thread.sleep(200);
        unacknowledged = unacknowledged(queue);
      }
      assertEquals("0", unacknowledged, "answered calls still unacknowledged on " + queue);
      assertEquals(List.of(0, 1, 2, 3, 4, 5), tally.log(), "no call ran again");
    }
  }

  /** The broker's count of delivered, unacknowledged messages on {@code queue}, as rabbitmqctl prints it. */
  private String unacknowledged(String queue) {
    return queueFigure(queue, "messages_unacknowledged");
  }

  /** One of rabbitmqctl's list_queues figures ({@code column}) for {@code queue}, as it prints it. */
  private String queueFigure(String queue, String column) {
    ExecResult result = broker.rabbitmqctl("list_queues", "--quiet", "--no-table-headers", "name", column);
    assertEquals(0, result.exitCode(), result.stderr());
    return result.stdout().lines().map(line -> line.trim().split("\\s+"))
        .filter(words -> words.length == 2 && words[0].equals(queue)).map(words -> words[1])
        .findFirst().orElseThrow(() -> new AssertionError(queue + " not listed: " + result.stdout()));
  }

  @Test
  void aNonIdempotentCallIsNotRunTwiceAfterItsWorkerDies(TestInfo test) throws Exception {
    try (Grid grid = grid(test, 2, 1, List.of())) {
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(2));
      CompletableFuture<String> charge = Grid.async(grid.proxy(id, Tally.class), t -> t.chargeSlowly(20_000));
      WorkerInfo running = Heartbeats.awaitBusyWorker(grid, Duration.ofSeconds(10));
      ProcessHandle.of(running.pid()).orElseThrow().destroyForcibly();
      ExecutionException e = assertThrows(ExecutionException.class, () -> charge.get(30, TimeUnit.SECONDS));
      assertInstanceOf(RetryRefusedException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains("Tally.chargeSlowly"), e.getCause().getMessage());
    }
  }

  @Test
  void aCallThatKillsEveryWorkerItReachesIsDeadLettered(TestInfo test) throws Exception {
    try (Grid grid = grid(test, 3, 1, List.of("--max-attempts", "2"));
        RawAmqpClient raw = new RawAmqpClient(endpoint)) {
      ServiceId id = grid.publish(new TallyService(8), PublishOptions.defaults().instances(3));
      Tally tally = grid.proxy(id, Tally.class);
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> Grid.runAsync(tally, t -> t.exit(13)).get(60, TimeUnit.SECONDS));
      assertInstanceOf(DeadLetteredException.class, e.getCause());
      System.out.println("[figure] poison call: " + e.getCause().getMessage());
      assertEquals(8, tally.get(), "the last worker is alive and serving");
      assertEquals(1, grid.workers().size(), "the two workers that ran it are reported gone: " + grid.workers());
      assertEquals(1, raw.messageCount("warren.dead." + id.value()), "the call waits in the dead-letter queue");
      grid.terminate(id);
      raw.deleteQueue("warren.dead." + id.value());
    }
  }

  @Test
  void aCallLongerThanTheConsumerTimeoutCompletesOnce(TestInfo test) throws Exception {
    // Acknowledge long calls after 2 s, well inside the broker's 5 s consumer timeout.
    try (Grid grid = grid(test, 1, 1, List.of("--ack-after-millis", "2000"))) {
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
      Tally tally = grid.proxy(id, Tally.class);
      long started = System.nanoTime();
      assertTrue(tally.appendSlowly(7, 3 * CONSUMER_TIMEOUT_MILLIS).length() > 0);
      System.out.printf("[figure] %d ms call under a %d ms consumer timeout completed%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), CONSUMER_TIMEOUT_MILLIS);
      assertEquals(List.of(7), tally.log(), "it ran exactly once");
    }
  }

  @Test
  void aTargetedCallWaitingWhenTheBrokerClosesTheSharedChannelIsStillAnswered(TestInfo test) throws Exception {
    // No early ack: the broker's consumer timeout closes the shared channel under a 10 s call, and
    // the instance opens new channels. The broadcast's call waits behind the long one, taken from
    // the instance queue with auto-ack: dropped there, its caller waited for the 90 s call timeout.
    try (Grid grid = grid(test, 1, 1, List.of("--ack-after-millis", "600000"))) {
      String worker = grid.workers().get(0).id();
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
      Tally tally = grid.proxy(id, Tally.class);
      CompletableFuture<String> slow = Grid.async(tally, t -> t.appendSlowly(7, 2 * CONSUMER_TIMEOUT_MILLIS));
      Heartbeats.awaitBusyWorker(grid, Duration.ofSeconds(10));
      CompletableFuture<List<Integer>> log = grid.broadcast(id, Tally.class, Tally::log).get(0);

      assertTrue(log.get(60, TimeUnit.SECONDS).contains(7), "answered after the long call");
      assertTrue(slow.get(60, TimeUnit.SECONDS).length() > 0);
      assertTrue(Files.readString(logs(test).resolve(worker + ".log")).contains("channels lost"),
          "the broker closed the channel under the long call");
    }
  }

  @Test
  void aLongCallHandsBackTheCallsQueuedBehindIt(TestInfo test) throws Exception {
    // At prefetch 8 the broker gives the busy instance more calls while its long call runs. When the
    // long call is acknowledged early (after 1 s) those go back to the queue, and the busy instance
    // takes no more until its long call ends: the other instance serves them all. The long call runs
    // on its channel's consumer thread, so amqp-client holds the calls behind it: the worker hands
    // them back as copies. Closing the channel instead had the broker requeue them marked
    // redelivered, and the other instance refused each @NonIdempotent one as a retry.
    try (Grid grid = grid(test, 1, 2, List.of("--ack-after-millis", "1000"), 8)) {
      String worker = grid.workers().get(0).id();
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(2));
      Tally tally = grid.proxy(id, Tally.class);
      CompletableFuture<String> slow = Grid.async(tally, t -> t.appendSlowly(7, 12_000));
      Heartbeats.awaitBusyWorker(grid, Duration.ofSeconds(10));
      List<CompletableFuture<String>> quick = IntStream.range(0, 12)
          .mapToObj(i -> Grid.async(tally, t -> t.chargeSlowly(0))).toList();
      for (CompletableFuture<String> call : quick) {
        assertTrue(call.get(60, TimeUnit.SECONDS).length() > 0, "not refused as a retry");
      }
      assertFalse(slow.isDone(), "the quick calls did not wait for the long one");
      String busyInstance = slow.get(60, TimeUnit.SECONDS);
      assertTrue(quick.stream().map(CompletableFuture::join).noneMatch(busyInstance::equals),
          "no quick call ran on the instance that was busy");
      assertFalse(Files.readString(logs(test).resolve(worker + ".log")).contains("channels lost"),
          "handed back by the worker, not by the broker's consumer timeout closing the channel");
    }
  }

  @Test
  void callsQueuedBehindOthersPastTheConsumerTimeoutEachRunOnce(TestInfo test) throws Exception {
    // At prefetch 8 the broker gives one instance all 8 calls of 1.5 s at once: none runs for the
    // 2 s early-ack time, but the later ones wait past the 5 s consumer timeout before they start.
    // The early ack counts from delivery: a call delivered 2 s ago is acknowledged, and those behind
    // it go back to the queue unmarked, where the broker closed the channel and redelivered them.
    try (Grid grid = grid(test, 1, 1, List.of("--ack-after-millis", "2000"), 8)) {
      String worker = grid.workers().get(0).id();
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
      Tally tally = grid.proxy(id, Tally.class);
      List<CompletableFuture<String>> calls = new ArrayList<>(IntStream.range(0, 7)
          .mapToObj(i -> Grid.async(tally, t -> t.appendSlowly(i, 1_500))).toList());
      calls.add(Grid.async(tally, t -> t.chargeSlowly(1_500)));
      for (CompletableFuture<String> call : calls) {
        assertTrue(call.get(60, TimeUnit.SECONDS).length() > 0, "the @NonIdempotent call was not refused either");
      }
      assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), tally.log().stream().sorted().toList(), "each call ran exactly once");
      assertFalse(Files.readString(logs(test).resolve(worker + ".log")).contains("channels lost"),
          "no consumer timeout closed the channel");
    }
  }

  @Test
  void aLeasedCallTakenBeforeTheWorkersConnectionDroppedIsAnsweredLost(TestInfo test) throws Exception {
    // The worker's connection drops and it reconnects at once; the client's stays up, and the
    // worker's heartbeats (every 2 s) do not go missing long enough for the client to notice. The
    // lease's second call had been taken from the instance queue (auto-acknowledged) to wait
    // behind the first: the worker drops it with the lease, and its caller waited for the timeout.
    try (Grid grid = gridOfOneWorker(test, Duration.ofSeconds(2), Duration.ofSeconds(90))) {
      String worker = grid.workers().get(0).id();
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
      // Found before the calls: each rabbitmqctl run starts an Erlang VM, and the running call below
      // must outlast those made while it runs.
      String workerConnection = connectionPid("warren-worker-" + worker);
      try (Lease<Tally> lease = grid.acquire(id, Tally.class, Duration.ofSeconds(20))) {
        // Long enough for the rabbitmqctl runs below: about a second each on a busy machine, over 3 s
        // with both cores taken by other processes, when 10 s were once not enough and the waiting
        // call had run before the connection dropped.
        CompletableFuture<String> running = Grid.async(lease.service(), t -> t.appendSlowly(1, 20_000));
        CompletableFuture<String> waiting = Grid.async(lease.service(), t -> t.appendSlowly(2, 0));
        String instanceQueue = Protocol.instanceQueue(id, 0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!queueFigure(instanceQueue, "messages").equals("0") && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertEquals("0", queueFigure(instanceQueue, "messages"), "both calls were taken from the instance queue");
        closeConnection(workerConnection);
        assertFalse(running.isDone(), "the connection dropped while the first call ran, the second waiting behind it");

        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(30, TimeUnit.SECONDS));
        assertInstanceOf(LostInstanceException.class, e.getCause());
        assertTrue(running.get(30, TimeUnit.SECONDS).length() > 0, "the running call is still answered");
        // The holder never released the lease: a later call fails as lost, not as released.
        ExecutionException later = assertThrows(ExecutionException.class,
            () -> Grid.async(lease.service(), t -> t.appendSlowly(3, 0)).get(30, TimeUnit.SECONDS));
        assertInstanceOf(LostInstanceException.class, later.getCause());
      }
    }
  }

  @Test
  void callsLostWithAnInstanceQueueFailAsLostInsteadOfWaitingForTheirTimeout(TestInfo test) throws Exception {
    // The worker is frozen (SIGSTOP) while a lease's calls pile up in its instance queue, and the
    // broker closes its connection. The exclusive queue dies with the calls still in it, and the
    // worker, once thawed, re-binds on a new connection. Its heartbeats (every 5 s) never go missing
    // long enough for the client to give it up, and the client's own connection stays up: only the
    // new binding in the instance's heartbeat can tell the client that those calls are gone.
    try (Grid grid = gridOfOneWorker(test, Duration.ofSeconds(5), Duration.ofSeconds(120))) {
      WorkerInfo worker = grid.workers().get(0);
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
      String text = "x".repeat(16 * 1024);
      String workerConnection = connectionPid("warren-worker-" + worker.id()); // while it answers
      try (Lease<Tally> lease = grid.acquire(id, Tally.class, Duration.ofSeconds(20))) {
        assertEquals(text.length(), lease.service().length(text));
        List<CompletableFuture<Integer>> calls;
        signal("STOP", worker.pid());
        try {
          // 16 MB: more than the socket buffers between the broker and the frozen worker hold.
          calls = IntStream.range(0, 1_000).mapToObj(i -> Grid.async(lease.service(), t -> t.length(text))).toList();
          String instanceQueue = Protocol.instanceQueue(id, 0);
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
          while (queueFigure(instanceQueue, "messages").equals("0") && System.nanoTime() < deadline) {
            Thread.sleep(100);
          }
          assertNotEquals("0", queueFigure(instanceQueue, "messages"), "calls wait in the instance queue");
          killConnection(workerConnection);
        } finally {
          signal("CONT", worker.pid());
        }
        long thawed = System.nanoTime();
        CompletableFuture<Void> all = CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
            .handle((ignored, failure) -> null);
        all.get(60, TimeUnit.SECONDS); // before: the calls left in the queue waited out their 120 s
        long lost = 0;
        for (CompletableFuture<Integer> call : calls) {
          try {
            assertEquals(text.length(), call.join());
          } catch (CompletionException e) {
            assertInstanceOf(LostInstanceException.class, e.getCause(), "a call either ran or was lost");
            lost++;
          }
        }
        System.out.printf("[figure] frozen worker's connection dropped under 1000 leased calls: %d answered, %d lost,"
            + " all settled %d ms after the thaw%n", calls.size() - lost, lost,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - thawed));
        assertTrue(lost > 0, "the calls in the closed queue are reported lost");
      }
    }
  }

  @Test
  void aLongCallWhoseReplyWasLostWithTheWorkersConnectionFailsAsLost(TestInfo test) throws Exception {
    // A stateless call acknowledged early (so the broker will not redeliver it) finishes while its
    // worker is frozen and its connection dropped: the reply goes out on the dead connection and is
    // lost. Only the instance it reported holding it can say it no longer does.
    try (Grid grid = gridOfOneWorker(test, Duration.ofSeconds(5), Duration.ofSeconds(120), "--ack-after-millis", "500")) {
      WorkerInfo worker = grid.workers().get(0);
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
      String workerConnection = connectionPid("warren-worker-" + worker.id()); // before the call's 2 s start
      long started = System.nanoTime();
      CompletableFuture<String> call = Grid.async(grid.proxy(id, Tally.class), t -> t.appendSlowly(1, 2_000));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!queueFigure(Protocol.serviceQueue(id), "messages_unacknowledged").equals("0") && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertEquals("0", queueFigure(Protocol.serviceQueue(id), "messages_unacknowledged"), "the call was acknowledged early");
      signal("STOP", worker.pid());
      try {
        killConnection(workerConnection);
        // Thawed after the call's 2 s: it finishes at once, before the worker has noticed the drop.
        Thread.sleep(Math.max(0, TimeUnit.SECONDS.toMillis(3) - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
      } finally {
        signal("CONT", worker.pid());
      }
      try {
        call.get(60, TimeUnit.SECONDS); // before: no answer until the 120 s call timeout
        System.out.println("[figure] the long call's reply made it onto the new connection");
      } catch (ExecutionException e) {
        assertInstanceOf(LostInstanceException.class, e.getCause());
        System.out.println("[figure] long call with a lost reply: " + e.getCause().getMessage());
      }
    }
  }

  /** Sends {@code signal} (STOP, CONT) to process {@code pid}. */
  private static void signal(String signal, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
    assertEquals(0, kill.waitFor(), () -> "kill -" + signal + " " + pid);
  }

  /** Has the broker close the connection the client named {@code name}. */
  /** Closes the connection whose broker process is {@code pid} ({@link #connectionPid}). */
  private void closeConnection(String pid) {
    ExecResult closed = broker.rabbitmqctl("close_connection", pid, "test: a dropped worker connection");
    assertEquals(0, closed.exitCode(), closed.stderr());
  }

  /**
   * Ends the broker's process {@code pid} for a connection ({@link #connectionPid}) at once, as a
   * dropped TCP connection would: no closing handshake, which a frozen peer would hold up for half a
   * minute.
   */
  private void killConnection(String pid) {
    ExecResult killed = broker.rabbitmqctl("eval", "exit(rabbit_misc:string_to_pid(\"" + pid + "\"), kill).");
    assertEquals(0, killed.exitCode(), killed.stderr());
  }

  /**
   * The broker's process for the connection named {@code name}. Ask while its peer is responsive:
   * {@code list_connections} leaves out a connection that does not answer in time, as one writing to
   * a frozen worker may not.
   */
  private String connectionPid(String name) {
    ExecResult list = broker.rabbitmqctl("list_connections", "--quiet", "--no-table-headers", "pid", "client_properties");
    assertEquals(0, list.exitCode(), list.stderr());
    return list.stdout().lines().filter(line -> line.contains("\"connection_name\",\"" + name + "\""))
        .map(line -> line.trim().split("\\s+")[0])
        .findFirst().orElseThrow(() -> new AssertionError(name + " not listed: " + list.stdout()));
  }

  @Test
  void moreLongCallsThanTheClientLibrarysThreadsAllRunAndAllCancel(TestInfo test) throws Exception {
    // Shared calls run on amqp-client's consumer threads. Its default pool has 2 threads per core,
    // for every channel of the connection: the worker must give it more (two per instance), or these calls (and the
    // cancels, which arrive on yet another channel) would wait for a free thread.
    int calls = 2 * Runtime.getRuntime().availableProcessors() + 2;
    try (Grid grid = grid(test, 1, calls, List.of())) {
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(calls));
      Tally tally = grid.proxy(id, Tally.class);
      List<CompletableFuture<String>> waits = IntStream.range(0, calls)
          .mapToObj(i -> Grid.async(tally, t -> t.waitFor(60_000))).toList();
      Heartbeats.await(grid, Duration.ofSeconds(20), calls + " running calls", workers ->
          workers.stream().mapToInt(WorkerInfo::busy).sum() >= calls ? Optional.of(true) : Optional.empty());
      waits.forEach(wait -> assertTrue(wait.cancel(true)));
      List<List<Integer>> logs = new ArrayList<>();
      for (CompletableFuture<List<Integer>> log : grid.broadcast(id, Tally.class, Tally::log)) {
        logs.add(log.get(30, TimeUnit.SECONDS));
      }
      assertEquals(calls, logs.stream().filter(log -> log.equals(List.of(-1))).count(),
          "every instance ran its call and saw the cancel's interrupt: " + logs);
      grid.terminate(id);
    }
  }

  @Test
  void aDeadClientsLeaseFreesItselfWithinTheLeaseTtl(TestInfo test) throws Exception {
    long ttlMillis = 2_000;
    try (Grid grid = grid(test, 1, 1, List.of())) {
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
      ProcessBuilder builder = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
          LeaseHolderMain.class.getName(), broker.uri().toString(), id.value(), Long.toString(ttlMillis))
          .redirectErrorStream(true);
      builder.environment().put("WARREN_TEST_USERNAME", broker.username());
      builder.environment().put("WARREN_TEST_PASSWORD", broker.password());
      Process holder = builder.start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("HELD")) {
          // skip the child's log lines
        }
        assertTrue(line != null, "the child client took the lease");
        Thread.sleep(2 * ttlMillis); // renewals keep it held past its TTL while the client lives
        assertThrows(AcquireTimeoutException.class, () -> grid.acquire(id, Tally.class, Duration.ofMillis(300)));

        holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        long killedAt = System.nanoTime();
        try (Lease<Tally> lease = grid.acquire(id, Tally.class, Duration.ofSeconds(20))) {
          long freedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
          System.out.printf("[figure] dead client's lease freed %d ms after the kill (TTL %d ms)%n", freedMillis, ttlMillis);
          assertTrue(freedMillis < ttlMillis + 2_000, "freed within the TTL (plus checking slack): " + freedMillis + " ms");
          assertEquals(99, lease.service().get(), "the same instance, with the state the dead client left");
        }
      } finally {
        holder.destroyForcibly();
      }
    }
  }

  @Test
  void clientsAndWorkersReconnectAfterABrokerRestart(TestInfo test) throws Exception {
    try (Grid grid = grid(test, 2, 1, List.of())) {
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(2));
      ServiceId solo = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
      grid.proxy(solo, Tally.class).set(5);
      Tally tally = grid.proxy(id, Tally.class);
      // 10 s of work on the two instances: rabbitmqctl starts an Erlang VM before it stops anything,
      // which took over 1.7 s on a busy machine, when the 2 s this load once was had run out before it.
      // The calls left when the broker stops fail at once, so the load's length costs no time.
      List<CompletableFuture<String>> inFlight = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int n = i;
        inFlight.add(Grid.async(tally, t -> t.appendSlowly(n, 100)));
      }
      Thread.sleep(300);
      assertEquals(0, broker.rabbitmqctl("stop_app").exitCode(), "the broker application stops");
      long stoppedAt = System.nanoTime();
      try {
        assertOutageEndsEveryCall(inFlight, stoppedAt);
      } finally {
        // Also when the outage's checks failed: the other tests share this broker.
        assertEquals(0, broker.rabbitmqctl("start_app").exitCode(), "the broker application starts again");
      }
      long restartedAt = System.nanoTime();

      Tally soloProxy = grid.proxy(solo, Tally.class);
      int value = -1;
      while (value < 0) {
        try {
          value = soloProxy.get();
        } catch (GridUnavailableException | io.warren.grid.NoInstanceException | io.warren.grid.UnknownServiceException e) {
          assertTrue(System.nanoTime() - restartedAt < TimeUnit.SECONDS.toNanos(60), "recovered within 60 s: " + e);
          Thread.sleep(200);
        }
      }
      System.out.printf("[figure] first call succeeded %d ms after the broker came back%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt));
      assertEquals(5, value, "the worker kept its instance and its state across the restart");
      List<Outcome<Tally.Hit>> after = Grid.map(tally, IntStream.range(0, 50).boxed().toList(), 4, Tally::hit)
          .get(30, TimeUnit.SECONDS);
      assertEquals(50, after.stream().filter(Outcome::isSuccess).count(), "new calls work after recovery: " + after);
      try (Lease<Tally> lease = grid.acquire(id, Tally.class, Duration.ofSeconds(20))) {
        assertTrue(lease.service().token().length() > 0, "leases work after recovery");
      }
    }
  }

  /** The broker stopped under {@code inFlight}: every call ends, with its result or the typed outage error. */
  private static void assertOutageEndsEveryCall(List<CompletableFuture<String>> inFlight, long stoppedAt) throws Exception {
    List<Outcome<String>> outcomes = Grid.gather(inFlight).get(30, TimeUnit.SECONDS); // none hangs
    long completed = outcomes.stream().filter(Outcome::isSuccess).count();
    long unavailable = outcomes.stream().filter(o -> !o.isSuccess() && o.failure() instanceof GridUnavailableException).count();
    System.out.printf("[figure] broker stopped under load: %d of %d calls completed, %d failed with GridUnavailable, "
        + "all settled %d ms after the stop%n", completed, inFlight.size(), unavailable,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt));
    assertEquals(inFlight.size(), completed + unavailable, "every in-flight call ended with a result or the typed outage error");
    assertTrue(unavailable > 0, "the stop did interrupt the load");
  }

  @Test
  void credentialsNeverAppearInCommandLinesLogsOrErrors(TestInfo test) throws Exception {
    String password = broker.password();
    try (Grid grid = grid(test, 1, 1, List.of())) {
      for (WorkerInfo worker : grid.workers()) {
        String commandLine = Files.readString(Path.of("/proc", Long.toString(worker.pid()), "cmdline")).replace('\0', ' ');
        assertTrue(commandLine.contains("--broker"), commandLine);
        assertFalse(commandLine.contains(password), "no password on the worker's command line");
      }
    }
    try (var logs = Files.walk(logs(test))) {
      for (Path log : logs.filter(Files::isRegularFile).toList()) {
        assertFalse(Files.readString(log).contains(password), "no password in " + log);
      }
    }
    GridUnavailableException refused = assertThrows(GridUnavailableException.class, () -> Grid.builder()
        .broker(broker.uri()).credentials(broker.username(), "wrong-" + password).build());
    assertFalse(refused.getMessage().contains(password), refused.getMessage());
    assertTrue(refused.getMessage().contains(broker.uri().toString()), "the error names the broker: " + refused.getMessage());
  }
}
