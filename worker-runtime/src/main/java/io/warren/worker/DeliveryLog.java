package io.warren.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Command;
import com.rabbitmq.client.TrafficListener;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The deliveries of each registered consumer that reached the worker but not yet the consumer, and
 * when each arrived. A consumer's {@code handleDelivery} cannot tell either: amqp-client holds a
 * channel's later deliveries while a call runs on its consumer thread, and hands them over only
 * after it. The connection's reader thread tells this listener of each delivery before any consumer
 * sees it, and deliveries to one consumer reach it in that order, so each takes the oldest entry.
 * <ul>
 *   <li>The broker's consumer timeout counts from a delivery's arrival, not from when its call starts.
 *   <li>A long call's held deliveries can be handed back to their queue while it still runs
 *       ({@link #undelivered}): the library has them, and nothing else can reach them.
 * </ul>
 *
 * <pre>
 * DeliveryLog log = new DeliveryLog();
 * Connection connection = Connections.open(broker, name, threads, log);
 * log.register(tag); // before consuming with that tag
 * channel.basicConsume(queue, false, tag, consumer); // whose handleDelivery calls log.arrived(tag)
 * log.forget(tag); // once the consumer has gone
 * </pre>
 *
 * <p>Thread-safe.
 */
final class DeliveryLog implements TrafficListener {
  /**
   * A delivery as it reached the worker.
   *
   * @param nanos when ({@code System.nanoTime()})
   * @param deliveryTag its tag on the consumer's channel
   * @param redelivered the broker's mark
   */
  record Arrival(long nanos, long deliveryTag, boolean redelivered, AMQP.BasicProperties props, byte[] body) {}

  /** One consumer's arrivals not yet taken, and whether the broker has ended it (nothing more will come). */
  private static final class Consumer {
    final Queue<Arrival> arrivals = new ConcurrentLinkedQueue<>();
    volatile boolean ended;
  }

  private final Map<String, Consumer> consumers = new ConcurrentHashMap<>();

  /** Starts recording deliveries to the consumer {@code tag}; only registered ones are kept. */
  void register(String tag) {
    consumers.put(tag, new Consumer());
  }

  /** When the consumer's next delivery ({@code System.nanoTime()}) arrived; now if not recorded. */
  long arrived(String tag) {
    Consumer consumer = consumers.get(tag);
    Arrival arrival = consumer == null ? null : consumer.arrivals.poll();
    return arrival == null ? System.nanoTime() : arrival.nanos();
  }

  /**
   * The deliveries the consumer {@code tag} has not taken yet, once the broker has confirmed its
   * cancel (so no more can come: they are all of them); null before that, or if it is not recorded.
   * A snapshot: the consumer may take some of them meanwhile.
   */
  List<Arrival> undelivered(String tag) {
    Consumer consumer = consumers.get(tag);
    return consumer == null || !consumer.ended ? null : List.copyOf(consumer.arrivals);
  }

  /** Stops recording for {@code tag}, dropping deliveries its consumer never took. */
  void forget(String tag) {
    consumers.remove(tag);
  }

  @Override
  public void read(Command command) {
    if (command.getMethod() instanceof AMQP.Basic.Deliver deliver) {
      Consumer consumer = consumers.get(deliver.getConsumerTag());
      if (consumer != null) {
        consumer.arrivals.add(new Arrival(System.nanoTime(), deliver.getDeliveryTag(), deliver.getRedelivered(),
            (AMQP.BasicProperties) command.getContentHeader(), command.getContentBody()));
      }
    } else if (command.getMethod() instanceof AMQP.Basic.CancelOk cancelled) {
      end(cancelled.getConsumerTag());
    } else if (command.getMethod() instanceof AMQP.Basic.Cancel cancelled) {
      end(cancelled.getConsumerTag()); // the broker's own cancel (queue deleted)
    }
  }

  private void end(String tag) {
    Consumer consumer = consumers.get(tag);
    if (consumer != null) {
      consumer.ended = true;
    }
  }

  @Override
  public void write(Command command) {}
}
