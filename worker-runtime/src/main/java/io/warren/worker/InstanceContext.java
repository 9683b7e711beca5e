package io.warren.worker;

import com.rabbitmq.client.Connection;
import java.time.Duration;

/**
 * What every instance runner of one worker shares: the connection, the worker's identity and
 * limits, and the hook that tells the worker to heartbeat after a lease change.
 *
 * @param connection the worker's current broker connection (it changes when the worker reconnects)
 * @param workerId the worker id put on grants
 * @param cancelled ids of calls their callers cancelled
 * @param onLeaseChange called after an instance is leased or freed
 * @param maxMessageBytes calls with a larger body are refused
 * @param ackAfter a call still running this long after its delivery is acknowledged early, by the worker's sweep (see
 *     {@link InstanceRunner#checkLongCall})
 * @param maxAttempts deliveries after which a call goes to the dead-letter queue
 * @param deliveries each shared-queue delivery and when it reached the worker, until its consumer takes it (the
 *     connection's listener)
 */
record InstanceContext(
    java.util.function.Supplier<Connection> connection,
    String workerId,
    CancelledCalls cancelled,
    Runnable onLeaseChange,
    int maxMessageBytes,
    Duration ackAfter,
    int maxAttempts,
    DeliveryLog deliveries) {}
