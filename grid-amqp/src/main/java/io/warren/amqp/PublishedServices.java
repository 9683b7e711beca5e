package io.warren.amqp;

import io.warren.grid.InstanceInfo;
import io.warren.grid.ServiceId;
import io.warren.grid.ServiceInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The services this client published, and which worker hosts each of their instances as far as
 * this client knows: shrunk when a worker is lost, grown back when it is heard from again. Calls
 * ask it whether a service has an instance left and which worker hosts a given one.
 *
 * <p>Thread-safe. Every change to a service's instances is a {@code compute} on its entry, never a
 * put of a copy read earlier: a heartbeat restoring an instance, a worker's loss shrinking the
 * service and a terminate removing it can run at once, and none may undo another.
 *
 * <pre>{@code
 * PublishedServices published = new PublishedServices();
 * published.put(info);
 * List<ServiceId> emptied = published.dropWorker("host1-a"); // those left without an instance
 * }</pre>
 */
final class PublishedServices {
  private final Map<ServiceId, ServiceInfo> services = new ConcurrentHashMap<>();

  void put(ServiceInfo info) {
    services.put(info.id(), info);
  }

  void remove(ServiceId service) {
    services.remove(service);
  }

  /** The service as published here, with the instances still known live; empty if not published here. */
  Optional<ServiceInfo> find(ServiceId service) {
    return Optional.ofNullable(services.get(service));
  }

  /** True for a service published here whose every instance is gone. */
  boolean isLeftWithoutInstances(ServiceId service) {
    ServiceInfo info = services.get(service);
    return info != null && info.instances().isEmpty();
  }

  /** True for a service published here that still has an instance. */
  boolean hasInstances(ServiceId service) {
    ServiceInfo info = services.get(service);
    return info != null && !info.instances().isEmpty();
  }

  /**
   * Removes {@code workerId}'s instances from every service; returns the services that lost their
   * last instance with them.
   */
  List<ServiceId> dropWorker(String workerId) {
    List<ServiceId> emptied = new ArrayList<>();
    for (ServiceId service : List.copyOf(services.keySet())) {
      boolean[] lostTheLast = {false};
      services.computeIfPresent(service, (id, info) -> {
        List<InstanceInfo> left = info.instances().stream().filter(i -> !i.workerId().equals(workerId)).toList();
        if (left.size() == info.instances().size()) {
          return info;
        }
        lostTheLast[0] = left.isEmpty();
        return new ServiceInfo(id, info.name(), info.implementation(), left);
      });
      if (lostTheLast[0]) {
        emptied.add(service);
      }
    }
    return emptied;
  }

  /**
   * Puts back the instances {@code heartbeat} says its worker hosts: a worker given up for lost
   * (silent through a broker outage, say) may still host them. Services not published here are
   * left alone.
   */
  void restore(Heartbeat heartbeat) {
    for (Heartbeat.Instance instance : heartbeat.instances()) {
      ServiceId service = new ServiceId(instance.service());
      services.computeIfPresent(service, (id, info) -> {
        if (info.instances().stream().anyMatch(i -> i.number() == instance.number())) {
          return info;
        }
        List<InstanceInfo> instances = new ArrayList<>(info.instances());
        instances.add(new InstanceInfo(service, instance.number(), heartbeat.workerId(), Optional.empty()));
        instances.sort(Comparator.comparingInt(InstanceInfo::number));
        return new ServiceInfo(info.id(), info.name(), info.implementation(), instances);
      });
    }
  }
}
