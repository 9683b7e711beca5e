package io.warren.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.BadRequestException;
import io.warren.grid.Grid;
import io.warren.grid.GridUnavailableException;
import io.warren.grid.Lease;
import io.warren.grid.PublishOptions;
import io.warren.grid.ServiceId;
import io.warren.testing.RabbitMqBroker;
import io.warren.worker.LocalWorkers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/**
 * Messages the broker refuses, on a RabbitMQ node whose {@code max_message_size} is 1 MiB while the
 * grid and its worker allow 4 MiB: the broker closes the channel such a message (a call, or a
 * result) went out on, and drops what follows it there. Every caller hears at once what became of
 * its call; none waits for its timeout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RabbitMqRefusedPublishIT {
  private static final int BROKER_MAX = 1024 * 1024;
  private static final int OVER_BROKER_MAX = 2 * BROKER_MAX;
  /** Well past the 30 s each test waits: a call that waits for its timeout fails the test. */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(120);

  private RabbitMqBroker broker;

  @BeforeAll
  void startBroker() {
    broker = RabbitMqBroker.builder().config("max_message_size = " + BROKER_MAX).start();
  }

  @AfterAll
  void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void callsOnAChannelClosedOverAnOversizedCallFailAtOnceAndSayWhetherTheyRan(TestInfo test) throws Exception {
    try (Grid grid = grid(test)) {
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
      try (Lease<Tally> lease = grid.acquire(id, Tally.class, Duration.ofSeconds(20))) {
        // A lease's calls share one channel, in order: the calls after the oversized one follow it there.
        List<CompletableFuture<String>> before = appendAll(lease.service(), 0, 200);
        CompletableFuture<Integer> oversized = Grid.async(lease.service(), t -> t.length("x".repeat(OVER_BROKER_MAX)));
        List<CompletableFuture<String>> after = appendAll(lease.service(), 200, 400);

        assertRefusedOverTheBrokersMax(oversized);
        assertAllAnswered(before, "a call sent before the refused one runs");
        List<Integer> notRun = failedUnavailable(after, 200, "it did not run");
        System.out.println("calls the broker dropped after the refused one: " + notRun.size() + " of " + after.size());

        // Each call ran exactly when its caller was told it did: the instance's log has the rest, in order.
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
          if (!notRun.contains(i)) {
            expected.add(i);
          }
        }
        assertEquals(expected, lease.service().log());

        // The client now knows the broker's limit: the next oversized call is refused before it is
        // sent, so it closes no channel and drops none of the calls behind it.
        CompletableFuture<Integer> again = Grid.async(lease.service(), t -> t.length("x".repeat(OVER_BROKER_MAX)));
        List<CompletableFuture<String>> behind = appendAll(lease.service(), 400, 600);
        assertRefusedOverTheBrokersMax(again);
        assertAllAnswered(behind, "a call behind a call refused before sending runs");
      }
    }
  }

  @Test
  void aResultOverTheBrokersMaxFailsItsCallAtOnceAndTheRepliesBehindItAreNotLost(TestInfo test) throws Exception {
    try (Grid grid = grid(test)) {
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
      try (Lease<Tally> lease = grid.acquire(id, Tally.class, Duration.ofSeconds(20))) {
        List<CompletableFuture<String>> before = appendAll(lease.service(), 0, 200);
        CompletableFuture<String> oversized = Grid.async(lease.service(), t -> t.text(OVER_BROKER_MAX));
        List<CompletableFuture<String>> after = appendAll(lease.service(), 200, 400);

        assertRefusedOverTheBrokersMax(oversized);
        assertAllAnswered(before, "a call answered before the refused reply gets its reply");
        List<Integer> lostReplies = failedUnavailable(after, 200, "the call ran");
        System.out.println("replies the broker dropped after the refused one: " + lostReplies.size() + " of " + after.size());
        // Every call ran once, in order, whatever its caller heard.
        assertEquals(java.util.stream.IntStream.range(0, 400).boxed().toList(), lease.service().log());

        // The instance now knows the broker's limit: the next oversized result is refused before it is
        // sent, and the replies behind it all arrive.
        CompletableFuture<String> again = Grid.async(lease.service(), t -> t.text(OVER_BROKER_MAX));
        List<CompletableFuture<String>> behind = appendAll(lease.service(), 400, 600);
        assertRefusedOverTheBrokersMax(again);
        assertAllAnswered(behind, "a reply behind a result refused before sending arrives");
      }
    }
  }

  @Test
  void callsTheBrokersPermissionsRefuseFailAtOnceNamingItsReason(TestInfo test) throws Exception {
    String password = UUID.randomUUID().toString().replace("-", ""); // a throwaway user on a throwaway node
    assertTrue(broker.rabbitmqctl("add_user", "limited", password).succeeded());
    // It may declare and read anything, and write to its own server-named queues (its bindings), but
    // not to the default exchange, which carries every call.
    assertTrue(broker.rabbitmqctl("set_permissions", "-p", "/", "limited", ".*", "^amq\\.gen-.*", ".*").succeeded());
    try (Grid grid = grid(test)) {
      ServiceId id = grid.publish(new TallyService(), PublishOptions.defaults().instances(1));
      try (Grid limited = Grid.builder()
          .broker(broker.uri())
          .credentials("limited", password)
          .callTimeout(CALL_TIMEOUT)
          .build()) {
        for (CompletableFuture<String> call : appendAll(limited.proxy(id, Tally.class), 0, 50)) {
          ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(30, TimeUnit.SECONDS));
          assertInstanceOf(GridUnavailableException.class, e.getCause(), e.getCause().toString());
          assertTrue(e.getCause().getMessage().contains("ACCESS_REFUSED"), e.getCause().getMessage());
        }
      }
      assertEquals(List.of(), grid.proxy(id, Tally.class).log(), "no refused call ran");
    }
  }

  /** {@code call} fails with {@link BadRequestException} naming the broker's limit, at once rather than at its timeout. */
  private static void assertRefusedOverTheBrokersMax(CompletableFuture<?> call) {
    ExecutionException refused = assertThrows(ExecutionException.class, () -> call.get(30, TimeUnit.SECONDS));
    assertInstanceOf(BadRequestException.class, refused.getCause(), refused.getCause().toString());
    assertTrue(refused.getCause().getMessage().contains("max_message_size of " + BROKER_MAX), refused.getCause().getMessage());
  }

  private static void assertAllAnswered(List<CompletableFuture<String>> calls, String why) throws Exception {
    for (CompletableFuture<String> call : calls) {
      assertTrue(call.get(30, TimeUnit.SECONDS).length() > 0, why);
    }
  }

  /**
   * Waits for each of {@code calls}, made by {@link #appendAll} from {@code first}: the values of
   * those that failed, each with {@link GridUnavailableException} saying {@code phrase}.
   */
  private static List<Integer> failedUnavailable(List<CompletableFuture<String>> calls, int first, String phrase)
      throws Exception {
    List<Integer> failed = new ArrayList<>();
    for (int i = 0; i < calls.size(); i++) {
      try {
        calls.get(i).get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        assertInstanceOf(GridUnavailableException.class, e.getCause(), e.getCause().toString());
        assertTrue(e.getCause().getMessage().contains(phrase), e.getCause().getMessage());
        failed.add(first + i);
      }
    }
    return failed;
  }

  private static List<CompletableFuture<String>> appendAll(Tally tally, int from, int to) {
    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (int value = from; value < to; value++) {
      int v = value;
      calls.add(Grid.async(tally, t -> t.appendSlowly(v, 0)));
    }
    return calls;
  }

  private Grid grid(TestInfo test) {
    return Grid.builder()
        .broker(broker.uri())
        .credentials(broker.username(), broker.password())
        .maxMessageBytes(4 * BROKER_MAX)
        .workers(LocalWorkers.builder().count(1).slots(1).heartbeatInterval(Duration.ofMillis(500))
            .workerArguments(List.of("--max-message-bytes", String.valueOf(4 * BROKER_MAX)))
            .logDirectory(Path.of("target", "worker-logs", "RabbitMqRefusedPublishIT", test.getTestMethod().orElseThrow().getName()))
            .build())
        .callTimeout(CALL_TIMEOUT)
        .build();
  }
}
