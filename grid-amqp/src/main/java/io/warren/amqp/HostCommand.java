package io.warren.amqp;

import java.util.List;

/**
 * Control message asking a worker to host instances of a service.
 *
 * @param service the service id
 * @param name the service's name, or null
 * @param implementation the class to instantiate
 * @param state the published object's state (JSON, as text)
 * @param instances the instance numbers this worker hosts
 * @param prefetch shared-queue prefetch per instance
 * @param replicated whether the service's queues are quorum queues (workers must declare them alike)
 */
public record HostCommand(
    String service, String name, String implementation, String state, List<Integer> instances, int prefetch,
    boolean replicated) {
  public HostCommand {
    instances = List.copyOf(instances);
  }
}
