package io.warren.amqp;

import io.warren.grid.ServiceId;
import io.warren.grid.WireFormat;

/**
 * Names and headers of Warren's AMQP 0-9-1 protocol, shared by clients and workers. The full
 * description, with who declares what and what happens on each failure, is docs/protocol.md.
 */
public final class Protocol {
  private Protocol() {}

  /** Topic exchange for worker heartbeats ({@code worker.<id>}) and call cancellations ({@code cancel}). */
  public static final String EVENTS_EXCHANGE = "warren.events";
  /** Routing key prefix of heartbeats. */
  public static final String HEARTBEAT_KEY_PREFIX = "worker.";
  /** Routing key of cancel broadcasts. */
  public static final String CANCEL_KEY = "cancel";

  /**
   * Header in which the calls of Warren's first protocol named their method. Calls carry their
   * method in the body now ({@code CallEnvelope}); a worker recognises this header only to tell the
   * sender of such a call that its client is older than the worker.
   */
  public static final String H_FIRST_FORM_METHOD = "warren-method";
  /** Header on acquires: epoch milliseconds after which nobody waits for the grant any more. */
  public static final String H_DEADLINE = "warren-deadline";
  /** Header: lease id (acquire, release, grants). */
  public static final String H_LEASE = "warren-lease";
  /** Header on replies: {@code ok} or {@code error}. */
  public static final String H_STATUS = "warren-status";
  /** Header on grants: the leased instance number. */
  public static final String H_INSTANCE = "warren-instance";
  /** Header on grants: the leased service's id. */
  public static final String H_SERVICE = "warren-service";
  /** Header on grants: the worker hosting the instance. */
  public static final String H_WORKER = "warren-worker";
  /** Header on calls: how many times the call has been delivered after its worker died, from 1. */
  public static final String H_ATTEMPT = "warren-attempt";
  /** Header on acquire: milliseconds a lease lives without a renewal from its client (0: forever). */
  public static final String H_LEASE_TTL = "warren-lease-ttl";
  /** Header on dead-lettered calls: why the call was set aside. */
  public static final String H_DEAD_REASON = "warren-dead-reason";
  /** Header on cancel broadcasts: the cancelled call's id. */
  public static final String H_CALL_ID = "warren-call-id";

  /** Message types, carried in the AMQP {@code type} property. */
  public static final String T_CALL = "call";
  public static final String T_ACQUIRE = "acquire";
  public static final String T_RELEASE = "release";
  public static final String T_REPLY = "reply";
  public static final String T_GRANT = "grant";
  public static final String T_HOST = "host";
  public static final String T_TERMINATE = "terminate";
  public static final String T_RELEASE_NOW = "release-now";
  public static final String T_SHUTDOWN = "shutdown";
  public static final String T_CANCEL = "cancel";
  public static final String T_HEARTBEAT = "heartbeat";
  /** Worker to caller: a long call was acknowledged to the broker early and now runs bound to this worker. */
  public static final String T_STARTED = "started";
  /** Client to worker: the lease is still wanted (sent every third of its TTL). */
  public static final String T_RENEW = "renew";
  /**
   * Client to instance, on the instance queue after the calls it asks about: which calls do you
   * still hold? Sent when an instance's heartbeat shows it bound a new instance queue (its
   * connection dropped), so calls lost with the old queue fail at once instead of at their timeout.
   * The reply's body is a JSON array of the correlation ids the instance is running or has queued.
   */
  public static final String T_IN_FLIGHT = "in-flight";

  public static final String STATUS_OK = "ok";
  public static final String STATUS_ERROR = "error";
  /** The content type of protocol messages and error replies: the one place it is spelled is {@link WireFormat}. */
  public static final String JSON = WireFormat.JSON.contentType();

  private static final String SERVICE_PREFIX = "warren.service.";
  private static final String INSTANCE_PREFIX = "warren.instance.";
  private static final String WORKER_PREFIX = "warren.worker.";
  private static final String DEAD_PREFIX = "warren.dead.";

  /**
   * The arguments of a service's durable queues (the shared queue and its dead-letter queue):
   * none, or a RabbitMQ quorum queue when replicated. Client and workers declare them alike, as a
   * broker refuses a re-declaration with other arguments.
   */
  public static java.util.Map<String, Object> serviceQueueArguments(boolean replicated) {
    return replicated ? java.util.Map.of("x-queue-type", "quorum") : null;
  }

  /** The durable shared queue of a service: its instances compete for its messages. */
  public static String serviceQueue(ServiceId service) {
    return SERVICE_PREFIX + service.value();
  }

  /** The exclusive queue of one instance: leased and targeted calls, and releases. */
  public static String instanceQueue(ServiceId service, int number) {
    return INSTANCE_PREFIX + service.value() + "." + number;
  }

  /** The exclusive control queue of a worker. */
  public static String workerQueue(String workerId) {
    return WORKER_PREFIX + workerId;
  }

  /** The durable queue where a service's calls go after too many deliveries. */
  public static String deadLetterQueue(ServiceId service) {
    return DEAD_PREFIX + service.value();
  }

  /** True for a service queue name. */
  public static boolean isServiceQueue(String queue) {
    return queue.startsWith(SERVICE_PREFIX);
  }

  /** True for an instance queue name. */
  public static boolean isInstanceQueue(String queue) {
    return queue.startsWith(INSTANCE_PREFIX);
  }
}
