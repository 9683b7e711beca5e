package io.warren.amqp;

import io.warren.grid.ServiceId;
import java.util.List;
import java.util.Set;

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
  /**
   * The longest interval a heartbeat may announce: a year, far beyond any real setting, and low
   * enough that the three intervals a worker may stay silent still fit in a {@code long} of nanos.
   */
  static final long MAX_INTERVAL_MILLIS = 365L * 24 * 3600 * 1000;
  private static final Set<String> STATES = Set.of(UP, DRAINING, DOWN);

  /**
   * Refuses a heartbeat the client could not act on, so that one bad message from the events
   * exchange (which anyone with access to the vhost may publish to) is dropped as unreadable
   * instead of failing deep inside the worker directory.
   *
   * @throws IllegalArgumentException naming the field that is missing or out of range
   */
  public Heartbeat {
    if (workerId == null || workerId.isBlank()) {
      throw new IllegalArgumentException("heartbeat without a workerId");
    }
    if (!STATES.contains(state)) {
      throw new IllegalArgumentException("heartbeat of " + workerId + " has state " + state + ", not one of " + STATES);
    }
    if (intervalMillis < 1 || intervalMillis > MAX_INTERVAL_MILLIS) {
      throw new IllegalArgumentException("heartbeat of " + workerId + " has intervalMillis " + intervalMillis
          + ", not in 1.." + MAX_INTERVAL_MILLIS);
    }
    instances = instances == null ? List.of() : List.copyOf(instances);
  }

  /**
   * One hosted instance; {@code lease} is null when the instance takes shared work. {@code binding}
   * counts the instance queues it has declared, from 1: it goes up each time the worker's broker
   * connection drops and the instance binds a fresh queue on the next one (the old queue died with
   * the old connection, with whatever calls were still in it).
   *
   * @throws IllegalArgumentException when {@code service} is not a legal {@link ServiceId}
   */
  public record Instance(String service, String name, String implementation, int number, String lease, int binding) {
    public Instance {
      new ServiceId(service); // checks it here, where the message arrives, not later in each use
    }
  }
}
