package io.warren.amqp;

import java.util.ArrayList;
import java.util.List;

/**
 * The most recent messages published on one channel, oldest first: what a client (its requests) or
 * a worker (its replies) consults when the broker closes that channel.
 *
 * <p>Why: a broker that refuses a publish (a body over its {@code max_message_size}, a write its
 * permissions deny) does not answer it. It closes the channel, and drops every message that reaches
 * the channel after the refused one, until the client has read the close. Without confirms nothing
 * tells the client which messages those were, and their callers would wait for their timeouts. The
 * broker handles a channel's messages in order, so the refused message and the dropped ones are the
 * newest the channel carried: a window of one round trip. This log keeps the last {@link #CAPACITY}
 * (far more than one round trip's worth at any rate a channel reaches), as a small key and a size
 * each, never a body, so a finished call's arguments or result are never held here.
 *
 * <p>Thread-safe: the holder of the channel records, the connection's reader thread reads after the close.
 *
 * @param <K> what names a message to whoever must answer for it (a request id, a reply's request)
 */
public final class SentLog<K> {
  /**
   * Entries kept per channel (a power of two). With their keys' strings: about 250 KB for a client's
   * channel (request ids), about 800 KB for a worker instance's (a reply's address and request type).
   */
  public static final int CAPACITY = 4096;

  /**
   * One message as published: its key (null for a message nobody answers for) and its body's size.
   *
   * @param <K> the key's type
   */
  public record Entry<K>(K key, int bodyBytes) {}

  private final Object[] keys;
  private final int[] sizes;
  private long count;

  /** A log of the last {@link #CAPACITY} messages. */
  public SentLog() {
    this(CAPACITY);
  }

  SentLog(int capacity) {
    if (Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two, was " + capacity);
    }
    keys = new Object[capacity];
    sizes = new int[capacity];
  }

  /** Records that the message {@code key}, of {@code bodyBytes}, is published next on this log's channel. */
  public synchronized void record(K key, int bodyBytes) {
    int slot = (int) count & (keys.length - 1);
    keys[slot] = key;
    sizes[slot] = bodyBytes;
    count++;
  }

  /** The kept entries, oldest first. */
  @SuppressWarnings("unchecked") // only record() writes keys, and only Ks
  public synchronized List<Entry<K>> recent() {
    int kept = (int) Math.min(count, keys.length);
    List<Entry<K>> entries = new ArrayList<>(kept);
    for (long i = count - kept; i < count; i++) {
      int slot = (int) i & (keys.length - 1);
      entries.add(new Entry<>((K) keys[slot], sizes[slot]));
    }
    return entries;
  }

  /** True once more messages were published than this log keeps: the oldest are no longer in it. */
  public synchronized boolean wrapped() {
    return count > keys.length;
  }
}
