package io.warren.grid;

import java.util.Optional;

/**
 * One instance of a published service as last reported by its worker.
 *
 * @param service the service it belongs to
 * @param number its number within the service, from 0
 * @param workerId the worker hosting it
 * @param leaseId the lease holding it, empty when it is taking shared work
 */
public record InstanceInfo(ServiceId service, int number, String workerId, Optional<String> leaseId) {}
