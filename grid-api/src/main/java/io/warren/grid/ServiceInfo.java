package io.warren.grid;

import java.util.List;
import java.util.Optional;

/**
 * A published service: its id, its optional name, the implementation class and where its instances
 * run.
 *
 * @param id the service id
 * @param name the name it was published under, if any
 * @param implementation the fully qualified class name of the published object
 * @param instances its instances, ordered by number
 */
public record ServiceInfo(
    ServiceId id, Optional<String> name, String implementation, List<InstanceInfo> instances) {
  public ServiceInfo {
    instances = List.copyOf(instances);
  }
}
