package io.warren.grid;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A worker runtime as its last heartbeat described it.
 *
 * @param id the worker id (unique on the broker)
 * @param host the host name it runs on
 * @param pid its process id on that host
 * @param slots how many instances it hosts per service by default
 * @param state {@code UP}, {@code DRAINING} or {@code DOWN}
 * @param busy how many calls it is running right now
 * @param load the host's one-minute load average, or a negative number when unknown
 * @param heartbeatInterval how often it promises a heartbeat
 * @param lastHeartbeat when its last heartbeat was received
 * @param instances the instances it hosts
 */
public record WorkerInfo(
    String id,
    String host,
    long pid,
    int slots,
    String state,
    int busy,
    double load,
    Duration heartbeatInterval,
    Instant lastHeartbeat,
    List<InstanceInfo> instances) {
  public WorkerInfo {
    instances = List.copyOf(instances);
  }
}
