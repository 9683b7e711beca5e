package io.warren.amqp;

import java.util.List;

/**
 * What a worker publishes on {@link Protocol#EVENTS_EXCHANGE} every interval and on every change.
 *
 * @param workerId the worker's id
 * @param host its host name
 * @param pid its process id
 * @param slots instances per service it hosts by default
 * @param state {@code UP}, {@code DRAINING} or {@code DOWN} (the last heartbeat it sends)
 * @param busy calls running now
 * @param load the host's one-minute load average, negative when unknown
 * @param intervalMillis how often heartbeats come; three missed ones mean the worker is lost
 * @param sentAtMillis when it was sent (worker clock)
 * @param instances the instances it hosts
 */
public record Heartbeat(
    String workerId,
    String host,
    long pid,
    int slots,
    String state,
    int busy,
    double load,
    long intervalMillis,
    long sentAtMillis,
    List<Instance> instances) {
  public static final String UP = "UP";
  public static final String DRAINING = "DRAINING";
  public static final String DOWN = "DOWN";

  public Heartbeat {
    instances = instances == null ? List.of() : List.copyOf(instances);
  }

  /** One hosted instance; {@code lease} is null when the instance takes shared work. */
  public record Instance(String service, String name, String implementation, int number, String lease) {}
}
