package io.warren.worker;

import com.rabbitmq.client.Channel;
import java.io.IOException;

/**
 * Acknowledges an instance's answered shared calls in batches: one {@code basic.ack} with
 * {@code multiple} for every {@code prefetch / 2} of them, instead of one per call. Measured at
 * prefetch 20 with 64 B calls, batches of 10 cut the broker's CPU per call by ~14 us of ~114 and the
 * acknowledging side's by ~8 us of ~31 (docs/benchmarks.md, item 29): on two cores, where the
 * broker is the bound, that is throughput.
 *
 * <p>Safe because an instance answers its shared calls one at a time in delivery order: when a
 * call is answered, every earlier delivery on its channel has been settled already (answered,
 * acknowledged, or handed back), so a multiple acknowledgement up to it covers nothing still
 * running or waiting. The price: a worker that dies with answered calls not yet acknowledged has
 * them redelivered and run again (delivery is at-least-once anyway; their callers already have
 * their answers and drop the second ones). Calls left over when the instance goes idle are
 * acknowledged by the worker's sweep ({@link #flush}), and before the channel is closed on
 * purpose, since closing would requeue them. Below prefetch 4 the batch is one call: an
 * acknowledgement per call, as the broker needs it to send the next one at prefetch 1.
 *
 * <pre>
 * AnsweredCalls answered = new AnsweredCalls(prefetch);
 * answered.add(shared, deliveryTag); // after the call's reply is published
 * answered.flush();                  // the sweep, and before closing the channel
 * </pre>
 *
 * Not thread-safe: the instance's task loop serializes every use; {@link #waiting} alone may be
 * read from elsewhere.
 */
final class AnsweredCalls {
  private final int batch;
  private Channel channel;
  private long lastTag;
  private volatile int unacknowledged;
  private volatile long acknowledgementsSent;

  AnsweredCalls(int prefetch) {
    this.batch = Math.max(1, prefetch / 2);
  }

  /** Call {@code tag} of {@code on} has been answered: acknowledges it now, or with a later one. */
  void add(Channel on, long tag) throws IOException {
    if (on != channel) {
      flush(); // the other channel's calls are acknowledged there, before this one's start
      channel = on;
    }
    lastTag = tag;
    unacknowledged++;
    if (unacknowledged >= batch) {
      flush();
    }
  }

  /**
   * Acknowledges every answered call not acknowledged yet. On a channel that has closed meanwhile
   * there is nothing to do: the broker has requeued those calls already.
   */
  void flush() throws IOException {
    if (unacknowledged == 0) {
      return;
    }
    Channel on = channel;
    long tag = lastTag;
    int count = unacknowledged;
    unacknowledged = 0;
    if (on.isOpen()) {
      on.basicAck(tag, count > 1);
      acknowledgementsSent++; // one writer at a time: the task loop
    }
  }

  /** True while some answered calls wait for their acknowledgement; readable from any thread. */
  boolean waiting() {
    return unacknowledged > 0;
  }

  /** The {@code basic.ack} frames sent so far (for tests). */
  long acknowledgementsSent() {
    return acknowledgementsSent;
  }
}
