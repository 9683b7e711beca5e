package io.warren.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.warren.grid.ServiceId;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives an instance's unstarted shared calls back to the service queue for other instances: a copy,
 * unchanged, then the delivery's acknowledgement once the broker has confirmed the copy, so the call
 * is always in the queue or held here. Not {@code basic.nack} with requeue: the broker would mark it
 * redelivered, and its next instance would take it for a call whose worker died while running it
 * (refused if {@code @NonIdempotent}, else counted towards {@code maxAttempts}), though it never ran.
 * If the broker does not confirm the copy, the call is requeued after all: maybe counted, and maybe
 * twice in the queue, but not lost.
 *
 * <p>Threads: used by whichever thread holds the instance's {@link TaskLoop}.
 */
final class CallHandOver {
  private static final Logger log = LoggerFactory.getLogger(CallHandOver.class);

  private final ServiceId service;
  private final int number;
  private final String sharedQueue;
  private final DeliveryLog deliveries;
  /**
   * Per paused channel, the delivery tags handed over from the delivery log while a long call held
   * them ({@link #handOverHeld}): the library still passes them on after the call, to be skipped.
   */
  private final Map<Channel, Set<Long>> handedOver = new HashMap<>();

  CallHandOver(ServiceId service, int number, String sharedQueue, DeliveryLog deliveries) {
    this.service = service;
    this.number = number;
    this.sharedQueue = sharedQueue;
    this.deliveries = deliveries;
  }

  /** Gives {@code in}, a shared delivery not started here, back to its queue (see above). */
  void handOver(InstanceTask.Inbound in) throws IOException {
    Channel channel = in.channel();
    if (!channel.isOpen()) {
      return; // the broker requeued it when the channel closed
    }
    Set<Long> tags = handedOver.get(channel);
    if (tags != null && tags.remove(in.tag())) {
      return; // handed over from the delivery log while a long call held it (handOverHeld)
    }
    if (publishConfirmed(channel, sharedQueue, CallAttempts.forCopy(in.redelivered(), in.props()), in.body())) {
      channel.basicAck(in.tag(), false);
    } else {
      channel.basicNack(in.tag(), false, true);
    }
  }

  /**
   * Hands over the deliveries the client library holds for the cancelled consumer {@code tag} on
   * {@code channel} behind the call running on its thread: copies first, then, once the broker has
   * confirmed them all, each delivery's acknowledgement. If the log has no word of the cancel, or the
   * broker does not confirm, the channel is closed and the broker requeues them (marked redelivered):
   * maybe counted as a retry, but not lost.
   */
  void handOverHeld(Channel channel, String tag) throws IOException {
    List<DeliveryLog.Arrival> held = deliveries.undelivered(tag);
    if (held == null) {
      log.warn("{}#{}: no record of the paused consumer's cancel; closing its channel to requeue what it holds",
          service, number);
      Channels.closeQuietly(channel);
      return;
    }
    if (held.isEmpty()) {
      return;
    }
    for (DeliveryLog.Arrival arrival : held) {
      channel.basicPublish("", sharedQueue, false, CallAttempts.forCopy(arrival.redelivered(), arrival.props()),
          arrival.body());
    }
    if (!awaitConfirms(channel, held.size() + " calls held behind a long call")) {
      Channels.closeQuietly(channel);
      return;
    }
    Set<Long> tags = handedOver.computeIfAbsent(channel, c -> new HashSet<>());
    for (DeliveryLog.Arrival arrival : held) {
      channel.basicAck(arrival.deliveryTag(), false);
      tags.add(arrival.deliveryTag());
    }
  }

  /** A paused channel is closing: its deliveries can no longer reach the loop. */
  void forget(Channel channel) {
    handedOver.remove(channel);
  }

  /** Publishes on {@code channel} (in confirm mode) and waits for the broker; false if it refused or did not answer. */
  boolean publishConfirmed(Channel channel, String queue, AMQP.BasicProperties props, byte[] body) throws IOException {
    channel.basicPublish("", queue, false, props, body);
    return awaitConfirms(channel, "a copy of call " + props.getCorrelationId() + " for " + queue);
  }

  /** Waits for the broker to confirm what {@code channel} (in confirm mode) has published; false if it refused or did not answer. */
  private boolean awaitConfirms(Channel channel, String what) {
    boolean interrupted = Thread.interrupted(); // a cancelled call's interrupt, not meant for this wait
    try {
      if (channel.waitForConfirms(Channels.BROKER_WAIT_MILLIS)) {
        return true;
      }
      log.warn("{}#{}: the broker refused {}", service, number, what);
    } catch (TimeoutException | InterruptedException e) {
      log.warn("{}#{}: no confirm for {}: {}", service, number, what, e.toString());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return false;
  }
}
