package io.warren.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Command;
import com.rabbitmq.client.TrafficListener;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * When each delivery of a registered consumer reached the worker: the broker's consumer timeout
 * counts from then. A consumer's {@code handleDelivery} cannot tell: amqp-client holds a channel's
 * later deliveries while a call runs on its consumer thread, and hands them over only after it.
 * The connection's reader thread tells this listener of each delivery before any consumer sees it,
 * and deliveries to one consumer reach it in that order, so each takes the oldest time recorded.
 *
 * <pre>
 * DeliveryClock clock = new DeliveryClock();
 * Connection connection = Connections.open(broker, name, threads, clock);
 * clock.register(tag); // before consuming with that tag
 * channel.basicConsume(queue, false, tag, consumer); // whose handleDelivery calls clock.arrived(tag)
 * clock.forget(tag); // once the consumer has gone
 * </pre>
 *
 * <p>Thread-safe.
 */
final class DeliveryClock implements TrafficListener {
  private final Map<String, Queue<Long>> arrivals = new ConcurrentHashMap<>();

  /** Starts recording deliveries to the consumer {@code tag}; only registered ones are kept. */
  void register(String tag) {
    arrivals.put(tag, new ConcurrentLinkedQueue<>());
  }

  /** When the consumer's next delivery ({@code System.nanoTime()}) arrived; now if not recorded. */
  long arrived(String tag) {
    Queue<Long> times = arrivals.get(tag);
    Long time = times == null ? null : times.poll();
    return time == null ? System.nanoTime() : time;
  }

  /** Stops recording for {@code tag}, dropping deliveries its consumer never took. */
  void forget(String tag) {
    arrivals.remove(tag);
  }

  @Override
  public void read(Command command) {
    if (command.getMethod() instanceof AMQP.Basic.Deliver deliver) {
      Queue<Long> times = arrivals.get(deliver.getConsumerTag());
      if (times != null) {
        times.add(System.nanoTime());
      }
    }
  }

  @Override
  public void write(Command command) {}
}
