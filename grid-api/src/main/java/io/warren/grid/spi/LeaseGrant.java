package io.warren.grid.spi;

import static java.util.Objects.requireNonNull;

import io.warren.grid.ServiceId;

/**
 * A transport's record of one granted lease.
 *
 * @param leaseId unique id of the lease
 * @param service the leased service
 * @param instance the instance number holding the lease
 * @param workerId the worker hosting that instance
 */
public record LeaseGrant(String leaseId, ServiceId service, int instance, String workerId) {
  public LeaseGrant {
    requireNonNull(leaseId, "leaseId == null");
    requireNonNull(service, "service == null");
    requireNonNull(workerId, "workerId == null");
  }
}
