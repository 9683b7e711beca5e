package io.warren.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes numbered persistent messages ({@code "0"}, {@code "1"}, ... from a first number) to one queue with
 * publisher confirms, paced, on its own thread, and records what the broker answered: for tests
 * that take a node away under load. A nacked message is published again under the same number, as
 * a client library would; so a number confirmed once was accepted once or more.
 *
 * <pre>{@code
 * ConfirmedPublisher publisher = ConfirmedPublisher.start(connection, "calls", 0, Duration.ofMillis(2));
 * publisher.awaitConfirmed(1_000, Duration.ofSeconds(30));
 * cluster.node(0).stopNode();
 * ConfirmedPublisher.Report report = publisher.finish(Duration.ofSeconds(60));
 * }</pre>
 *
 * <p>At most {@value #WINDOW} messages are unconfirmed at a time: the publisher keeps the broker
 * busy without filling it. Confirm callbacks only record; the test thread reads the
 * {@link Report}.
 */
final class ConfirmedPublisher {
  private static final int WINDOW = 200;

  private final Channel channel;
  private final String queue;
  private final Duration pace;
  // Publish sequence number -> what was sent under it, until the broker acks or nacks it.
  private final ConcurrentNavigableMap<Long, Sent> unconfirmed = new ConcurrentSkipListMap<>();
  private final BlockingQueue<Long> nackedIds = new LinkedBlockingQueue<>();
  private final ConcurrentLinkedQueue<Long> ackTimes = new ConcurrentLinkedQueue<>();
  private final long firstId;
  private final AtomicLong nextId;
  private final AtomicLong acks = new AtomicLong();
  private final AtomicLong nacks = new AtomicLong();
  private final AtomicLong returns = new AtomicLong();
  private final AtomicLong maxLatencyNanos = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Thread thread;
  private volatile boolean running = true;

  private record Sent(long id, long nanos) {}

  /**
   * What the broker answered, once every message is confirmed.
   *
   * @param firstId the first number
   * @param ids how many numbers were published (firstId to firstId + ids - 1)
   * @param acks confirms received
   * @param nacks nacks received (each was published again)
   * @param returns messages returned as unroutable
   * @param maxConfirmLatency the longest wait from publishing a message to its ack
   * @param longestConfirmGap the longest time between two acks while publishing went on
   * @param failure what stopped publishing early (e.g. the channel closed), or null
   * @param unconfirmedIds numbers never acked because of that failure: their fate is unknown
   */
  record Report(long firstId, long ids, long acks, long nacks, long returns, Duration maxConfirmLatency,
      Duration longestConfirmGap, Throwable failure, Set<Long> unconfirmedIds) {}

  private ConfirmedPublisher(Channel channel, String queue, long firstId, Duration pace) {
    this.firstId = firstId;
    this.nextId = new AtomicLong(firstId);
    this.channel = channel;
    this.queue = queue;
    this.pace = pace;
    this.thread = new Thread(this::publishLoop, "confirmed-publisher-" + queue);
  }

  /** Opens a channel on {@code connection} in confirm mode and starts publishing to {@code queue}. */
  static ConfirmedPublisher start(Connection connection, String queue, long firstId, Duration pace)
      throws IOException {
    Channel channel = connection.createChannel();
    channel.confirmSelect();
    ConfirmedPublisher publisher = new ConfirmedPublisher(channel, queue, firstId, pace);
    // A closed channel ends publishing at once, not at the next publish.
    channel.addShutdownListener(cause -> publisher.failure.compareAndSet(null, cause));
    channel.addConfirmListener(publisher.new Confirms());
    channel.addReturnListener(returned -> publisher.returns.incrementAndGet());
    publisher.thread.start();
    return publisher;
  }

  /** How many acks arrived so far. */
  long acks() {
    return acks.get();
  }

  /** Waits until {@code count} acks arrived or publishing failed; false on timeout. */
  boolean awaitAcks(long count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (acks.get() < count && failure.get() == null && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return acks.get() >= count;
  }

  /**
   * Stops publishing new numbers, waits until every message out (nacked ones published again) is
   * acked, and reports. After a failure, reports at once which numbers stay unconfirmed.
   *
   * @throws TimeoutException if messages are still unconfirmed after {@code timeout}
   */
  Report finish(Duration timeout) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    running = false;
    thread.join(timeout.toMillis());
    // Nacks that came after the loop ended still need publishing again; the loop has stopped, so
    // this thread may use the channel now.
    while ((!unconfirmed.isEmpty() || !nackedIds.isEmpty()) && failure.get() == null) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(unconfirmed.size() + " messages unconfirmed after " + timeout);
      }
      Long id = nackedIds.poll();
      if (id != null) {
        try {
          publish(id);
        } catch (IOException | RuntimeException e) {
          failure.compareAndSet(null, e); // reported; the loop ends
        }
      } else {
        Thread.sleep(10);
      }
    }
    Set<Long> unknown = new TreeSet<>(nackedIds);
    unconfirmed.values().forEach(sent -> unknown.add(sent.id()));
    return new Report(firstId, nextId.get() - firstId, acks.get(), nacks.get(), returns.get(),
        Duration.ofNanos(maxLatencyNanos.get()), longestGap(), failure.get(), Set.copyOf(unknown));
  }

  private void publishLoop() {
    try {
      while (running) {
        if (unconfirmed.size() >= WINDOW) {
          Thread.sleep(1);
          continue;
        }
        Long again = nackedIds.poll();
        publish(again != null ? again : nextId.getAndIncrement());
        Thread.sleep(pace.toMillis());
      }
    } catch (IOException | RuntimeException e) {
      failure.compareAndSet(null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void publish(long id) throws IOException {
    // Recorded before publishing: the ack may arrive before basicPublish returns.
    unconfirmed.put(channel.getNextPublishSeqNo(), new Sent(id, System.nanoTime()));
    AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
        .deliveryMode(2)
        .messageId(Long.toString(id))
        .build();
    // Mandatory: a message no queue takes comes back instead of vanishing.
    channel.basicPublish("", queue, true, properties, Long.toString(id).getBytes(UTF_8));
  }

  private Duration longestGap() {
    List<Long> times = new ArrayList<>(ackTimes);
    times.sort(null);
    long longest = 0;
    for (int i = 1; i < times.size(); i++) {
      longest = Math.max(longest, times.get(i) - times.get(i - 1));
    }
    return Duration.ofNanos(longest);
  }

  /** Runs on the connection's dispatch thread: records, never blocks, never asserts. */
  private final class Confirms implements ConfirmListener {
    @Override
    public void handleAck(long seqNo, boolean multiple) {
      long now = System.nanoTime();
      ackTimes.add(now);
      for (Sent sent : settle(seqNo, multiple)) {
        acks.incrementAndGet();
        maxLatencyNanos.accumulateAndGet(now - sent.nanos(), Math::max);
      }
    }

    @Override
    public void handleNack(long seqNo, boolean multiple) {
      for (Sent sent : settle(seqNo, multiple)) {
        nacks.incrementAndGet();
        nackedIds.add(sent.id());
      }
    }

    private List<Sent> settle(long seqNo, boolean multiple) {
      ConcurrentNavigableMap<Long, Sent> settled = multiple
          ? unconfirmed.headMap(seqNo, true)
          : unconfirmed.subMap(seqNo, true, seqNo, true);
      List<Sent> sent = new ArrayList<>(settled.values());
      settled.clear();
      return sent;
    }
  }
}
