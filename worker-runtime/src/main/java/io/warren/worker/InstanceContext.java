package io.warren.worker;

import com.rabbitmq.client.Connection;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every instance runner of one worker shares: the connection, the worker's identity and
 * limits, its timers, and the hook that tells the worker to heartbeat after a lease change.
 *
 * @param connection the worker's current broker connection (it changes when the worker reconnects)
 * @param workerId the worker id put on grants
 * @param cancelled ids of calls their callers cancelled
 * @param timers the worker's timer thread (tasks must only enqueue work)
 * @param onLeaseChange called after an instance is leased or freed
 * @param maxMessageBytes calls with a larger body are refused
 * @param ackAfter a call still running after this is acknowledged early (see {@link InstanceRunner})
 * @param maxAttempts deliveries after which a call goes to the dead-letter queue
 */
record InstanceContext(
    java.util.function.Supplier<Connection> connection,
    String workerId,
    CancelledCalls cancelled,
    ScheduledExecutorService timers,
    Runnable onLeaseChange,
    int maxMessageBytes,
    Duration ackAfter,
    int maxAttempts) {}
