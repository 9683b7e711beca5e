package io.warren.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker's reason for closing a publishing channel, and what it means for each message recently
 * published on it (see {@link SentLog}).
 *
 * <p>Only one reason says which message was refused: a body over the broker's {@code
 * max_message_size}, whose close text names the refused size and the limit. The first logged body
 * over that limit is the refused one (an earlier one would have been refused instead); every message
 * before it was delivered, every one after it dropped unread. For any other reason (a write the
 * user's permissions deny, an exchange deleted under the client) the client cannot tell which
 * requests got through.
 *
 * @param replyText the broker's close text, as it gave it
 * @param brokerMaxBytes the broker's {@code max_message_size} if that is why it closed the channel, else -1
 */
public record ChannelRefusal(String replyText, long brokerMaxBytes) {
  /** RabbitMQ's text (rabbit_channel, 3.x and 4.x) for a body over {@code max_message_size}. */
  private static final Pattern OVER_MAX_SIZE = Pattern.compile("message size (\\d+) is larger than configured max size (\\d+)");

  /** What became of one request published on the closed channel. */
  public enum Fate {
    /** Reached the broker before the refused message: left to its reply. */
    DELIVERED,
    /** The message the broker refused. */
    REFUSED,
    /** Published after the refused message: the broker dropped it, so it never ran. */
    DROPPED,
    /** The broker's reason does not say whether it got through. */
    UNKNOWN
  }

  /**
   * One message a closed channel carried, and what became of it.
   *
   * @param <K> the log's key type
   */
  public record Outcome<K>(K key, int bodyBytes, Fate fate) {}

  /**
   * The refusal {@code cause} reports, or null when it is not the broker closing this channel alone
   * (the client closed it, or the whole connection went, which fails every request anyway).
   */
  public static ChannelRefusal of(ShutdownSignalException cause) {
    if (cause.isHardError() || cause.isInitiatedByApplication()) {
      return null;
    }
    String text = cause.getReason() instanceof AMQP.Channel.Close close ? close.getReplyText() : String.valueOf(cause.getMessage());
    Matcher size = OVER_MAX_SIZE.matcher(text);
    return new ChannelRefusal(text, size.find() ? Long.parseLong(size.group(2)) : -1);
  }

  /** True if the broker refused a body over its {@code max_message_size}, which it named. */
  public boolean overMaxSize() {
    return brokerMaxBytes >= 0;
  }

  /** What became of each message {@code carried} logged, oldest first: its entries with {@link #fates}. */
  public <K> List<Outcome<K>> outcomes(SentLog<K> carried) {
    List<SentLog.Entry<K>> recent = carried.recent();
    List<Fate> fates = fates(recent, carried.wrapped());
    List<Outcome<K>> outcomes = new ArrayList<>(recent.size());
    for (int i = 0; i < recent.size(); i++) {
      outcomes.add(new Outcome<>(recent.get(i).key(), recent.get(i).bodyBytes(), fates.get(i)));
    }
    return outcomes;
  }

  /**
   * The fate of each of {@code recent} (oldest first, as {@link SentLog#recent()}), in the same
   * order. {@code wrapped} says the log no longer holds its channel's oldest messages: a refused
   * message not among those left is older than all of them.
   */
  public List<Fate> fates(List<? extends SentLog.Entry<?>> recent, boolean wrapped) {
    int refused = -1;
    if (overMaxSize()) {
      for (int i = 0; i < recent.size() && refused < 0; i++) {
        if (recent.get(i).bodyBytes() > brokerMaxBytes) {
          refused = i;
        }
      }
    }
    List<Fate> fates = new ArrayList<>(recent.size());
    for (int i = 0; i < recent.size(); i++) {
      if (!overMaxSize() || (refused < 0 && !wrapped)) {
        fates.add(Fate.UNKNOWN);
      } else if (refused < 0 || i > refused) {
        fates.add(Fate.DROPPED);
      } else {
        fates.add(i == refused ? Fate.REFUSED : Fate.DELIVERED);
      }
    }
    return fates;
  }
}
