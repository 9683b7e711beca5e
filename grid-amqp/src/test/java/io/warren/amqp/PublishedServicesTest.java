package io.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.InstanceInfo;
import io.warren.grid.ServiceId;
import io.warren.grid.ServiceInfo;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the client knows of the services it published, as workers are lost and heard from again. */
class PublishedServicesTest {
  private static final ServiceId A = new ServiceId("svc-a");
  private static final ServiceId B = new ServiceId("svc-b");
  private final PublishedServices published = new PublishedServices();

  @Test
  void aLostWorkersInstancesLeaveItsServicesAndTheServicesLeftWithNoneAreNamed() {
    published.put(service(A, instance(A, 0, "w1"), instance(A, 1, "w2")));
    published.put(service(B, instance(B, 0, "w1")));

    assertEquals(List.of(B), published.dropWorker("w1"));

    assertEquals(List.of("1@w2"), placement(A));
    assertTrue(published.hasInstances(A));
    assertFalse(published.hasInstances(B));
    assertTrue(published.isLeftWithoutInstances(B));
    assertEquals(List.of(), published.dropWorker("w1"), "a worker lost twice empties nothing the second time");
  }

  @Test
  void aWorkerHeardFromAgainGetsItsInstancesBackInOrderOnce() {
    published.put(service(A, instance(A, 0, "w1"), instance(A, 1, "w2"), instance(A, 2, "w1")));
    published.dropWorker("w1");

    Heartbeat back = heartbeat("w1", A, 0, 2);
    published.restore(back);
    published.restore(back);

    assertEquals(List.of("0@w1", "1@w2", "2@w1"), placement(A));
    assertFalse(published.isLeftWithoutInstances(A));
  }

  @Test
  void servicesNotPublishedHereAreNeitherRestoredNorCountedAsEmpty() {
    published.restore(heartbeat("w1", A, 0));

    assertEquals(Optional.empty(), published.find(A));
    assertFalse(published.hasInstances(A));
    assertFalse(published.isLeftWithoutInstances(A), "a stateless call to another client's service goes out");
    assertEquals(List.of(), published.dropWorker("w1"));
  }

  @Test
  void aRemovedServiceIsNotBroughtBackByItsWorkersHeartbeat() {
    published.put(service(A, instance(A, 0, "w1")));
    published.remove(A);
    published.restore(heartbeat("w1", A, 0));
    assertEquals(Optional.empty(), published.find(A));
  }

  private List<String> placement(ServiceId service) {
    return published.find(service).orElseThrow().instances().stream().map(i -> i.number() + "@" + i.workerId()).toList();
  }

  private static ServiceInfo service(ServiceId id, InstanceInfo... instances) {
    return new ServiceInfo(id, Optional.empty(), "example.Impl", List.of(instances));
  }

  private static InstanceInfo instance(ServiceId service, int number, String worker) {
    return new InstanceInfo(service, number, worker, Optional.empty());
  }

  private static Heartbeat heartbeat(String worker, ServiceId service, int... numbers) {
    List<Heartbeat.Instance> instances = java.util.Arrays.stream(numbers)
        .mapToObj(n -> new Heartbeat.Instance(service.value(), null, "example.Impl", n, null, 1)).toList();
    return new Heartbeat(worker, "host", 1, 1, Heartbeat.UP, 0, 0.0, 1_000, 0, instances);
  }
}
