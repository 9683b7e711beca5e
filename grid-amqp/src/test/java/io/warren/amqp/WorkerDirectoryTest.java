package io.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the client's directory reads instance bindings and losses from heartbeats. */
class WorkerDirectoryTest {
  private final List<String> lost = new ArrayList<>();
  private final WorkerDirectory directory = new WorkerDirectory((workerId, saidDown) -> lost.add(workerId + (saidDown ? " said DOWN" : " fell silent")));

  @Test
  void anInstanceThatBindsANewQueueIsReportedOnceItsHeartbeatShowsIt() {
    assertEquals(List.of(), numbers(directory.accept(heartbeat("w1", Heartbeat.UP, instance(0, 1), instance(1, 1)))));
    assertEquals(List.of(), numbers(directory.accept(heartbeat("w1", Heartbeat.UP, instance(0, 1), instance(1, 1)))));
    assertEquals(List.of(1), numbers(directory.accept(heartbeat("w1", Heartbeat.UP, instance(0, 1), instance(1, 2)))));
    assertEquals(List.of(), numbers(directory.accept(heartbeat("w1", Heartbeat.UP, instance(0, 1), instance(1, 2)))),
        "the same binding again is no news");
    assertEquals(List.of(0, 1), numbers(directory.accept(heartbeat("w1", Heartbeat.UP, instance(0, 2), instance(1, 4)))));
  }

  @Test
  void anInstanceFirstSeenPastItsFirstQueueCountsAsRebound() {
    // A lease granted before this client saw the worker's first heartbeat was on queue 1.
    assertEquals(List.of(0), numbers(directory.accept(heartbeat("w1", Heartbeat.UP, instance(0, 2)))));
    assertEquals(List.of(5), numbers(directory.accept(heartbeat("w1", Heartbeat.UP, instance(0, 2), instance(5, 3)))));
  }

  @Test
  void aWorkerSayingItIsDownIsLostAndReportsNoBindings() {
    directory.accept(heartbeat("w1", Heartbeat.UP, instance(0, 1)));
    assertEquals(List.of(), numbers(directory.accept(heartbeat("w1", Heartbeat.DOWN, instance(0, 2)))));
    assertEquals(List.of("w1 said DOWN"), lost);
  }

  private static List<Integer> numbers(List<Heartbeat.Instance> instances) {
    return instances.stream().map(Heartbeat.Instance::number).toList();
  }

  private static Heartbeat.Instance instance(int number, int binding) {
    return new Heartbeat.Instance("svc-a", null, "example.Impl", number, null, binding);
  }

  private static Heartbeat heartbeat(String worker, String state, Heartbeat.Instance... instances) {
    return new Heartbeat(worker, "host", 1, 1, state, 0, 0.0, 1_000, 0, List.of(instances));
  }
}
