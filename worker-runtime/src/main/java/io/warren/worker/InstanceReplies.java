package io.warren.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import io.warren.amqp.ChannelRefusal;
import io.warren.amqp.Messages;
import io.warren.amqp.Protocol;
import io.warren.amqp.SentLog;
import io.warren.grid.ErrorCode;
import io.warren.grid.ServiceId;
import io.warren.grid.spi.WireError;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An instance's replies: the channel they go out on, the log of what it carried ({@link SentLog}),
 * and what to do when the broker refuses one. A broker that refuses a publish closes the channel and
 * drops what follows on it, and tells the publisher nothing else: from the log, each request whose
 * reply it did not deliver is answered again on the channel that replaces it ({@link #answerRefused}),
 * rather than leaving its caller to wait for its timeout.
 *
 * <p>Threads: used by whichever thread holds the instance's {@link TaskLoop}, like the channel; the
 * refusal listener only posts a task to that loop.
 */
final class InstanceReplies {
  private static final Logger log = LoggerFactory.getLogger(InstanceReplies.class);
  /** What to do about a reply over the broker's limit, in both errors that name it. */
  private static final String RAISE_BROKER_LIMIT = "raise max_message_size on the broker, or keep --max-message-bytes at or under it";

  /** A channel replies go out on and its log: they travel together, so a reply is logged where it is sent. */
  record Replies(Channel channel, SentLog<Sent> log) {}

  /**
   * A reply as the instance channel's log keeps it: enough to answer its request again, and no more
   * (the log holds thousands): where it goes, what it was, the lease it granted, and whether it was
   * itself an answer for a refused reply (never answered for again: a broker that refuses those too
   * would otherwise close each new channel in turn, for ever).
   */
  record Sent(String replyTo, String correlationId, String requestType, String type, String grantedLease,
      boolean answersRefusal) {
    static Sent of(AMQP.BasicProperties request, String type, boolean answersRefusal) {
      String lease = Protocol.T_GRANT.equals(type) ? Messages.header(request, Protocol.H_LEASE) : null;
      return new Sent(request.getReplyTo(), request.getCorrelationId(), request.getType(), type, lease, answersRefusal);
    }

    /** The request's properties a reply needs. */
    AMQP.BasicProperties request() {
      return new AMQP.BasicProperties.Builder().replyTo(replyTo).correlationId(correlationId).type(requestType).build();
    }
  }

  private final ServiceId service;
  private final int number;
  private final TaskLoop<InstanceTask> loop;
  /** The instance channel as replies use it, with its log of what it carried. */
  private volatile Replies replies;
  /**
   * The broker's {@code max_message_size}, once it refused a reply of this instance's and named it:
   * larger results are refused here, before they cost the channel and the replies behind them.
   */
  private volatile long brokerMaxBytes = Long.MAX_VALUE;

  InstanceReplies(ServiceId service, int number, TaskLoop<InstanceTask> loop) {
    this.service = service;
    this.number = number;
    this.loop = loop;
  }

  /** Replies go out on {@code channel} from now on, with a new log; returns the pair. */
  Replies switchTo(Channel channel) {
    Replies next = new Replies(channel, new SentLog<>());
    replies = next;
    return next;
  }

  /**
   * Has the replies {@code sent}'s channel carried answered for if the broker closes it refusing
   * one. To be added after the re-bind's listener: that posts its task first, so the answers go out
   * on the new channel.
   */
  void answerWhenRefused(Replies sent) {
    sent.channel().addShutdownListener(cause -> {
      ChannelRefusal refusal = ChannelRefusal.of(cause);
      if (refusal != null) {
        loop.post(new InstanceTask.RepliesRefused(refusal, sent.log()));
      }
    });
  }

  /**
   * The broker closed the instance channel, refusing a reply, and dropped the replies published
   * after it (see {@link ChannelRefusal}): each request whose reply it did not deliver gets an error
   * reply instead, on the new channel. A caller that did get the first reply drops the second.
   * Returns the leases whose grants were not delivered: they must end.
   */
  Set<String> answerRefused(InstanceTask.RepliesRefused task) throws IOException {
    ChannelRefusal refusal = task.refusal();
    if (refusal.overMaxSize()) {
      brokerMaxBytes = Math.min(brokerMaxBytes, refusal.brokerMaxBytes());
    }
    log.warn("{}#{}: the broker closed the instance's channel: {}", service, number, refusal.replyText());
    Set<String> lostGrants = new HashSet<>();
    for (ChannelRefusal.Outcome<Sent> outcome : refusal.outcomes(task.carried())) {
      Sent sent = outcome.key();
      if (sent == null || outcome.fate() == ChannelRefusal.Fate.DELIVERED || Protocol.T_STARTED.equals(sent.type())
          || sent.answersRefusal()) {
        continue; // a lost `started` only leaves the client not knowing where the call runs
      }
      AMQP.BasicProperties request = sent.request();
      String handled = Protocol.T_CALL.equals(sent.requestType()) ? "the call ran" : "the " + sent.requestType() + " was handled";
      switch (outcome.fate()) {
        case REFUSED -> answerFor(request, ErrorCode.BAD_REQUEST, handled + ", but its reply takes " + outcome.bodyBytes()
            + " bytes, more than the broker's max_message_size of " + refusal.brokerMaxBytes() + ": " + RAISE_BROKER_LIMIT);
        case DROPPED -> answerFor(request, ErrorCode.UNAVAILABLE, handled + ", but the broker dropped its reply after refusing"
            + " an earlier reply on the same channel (" + refusal.replyText() + ")");
        default -> answerFor(request, ErrorCode.UNAVAILABLE, handled + ", but the broker closed the channel its reply went out on ("
            + refusal.replyText() + "): the reply may not have arrived");
      }
      if (sent.grantedLease() != null) {
        lostGrants.add(sent.grantedLease());
      }
    }
    return lostGrants;
  }

  /** An error reply in place of a reply the broker did not deliver; see {@link Sent#answersRefusal}. */
  private void answerFor(AMQP.BasicProperties request, ErrorCode code, String message) throws IOException {
    reply(request, Protocol.T_REPLY, Protocol.STATUS_ERROR, Map.of(), Messages.errorBody(WireError.of(code, message)),
        Protocol.JSON, true);
  }

  /**
   * A call's result: sent as {@link #replyOk}, unless it is larger than the broker's {@code
   * max_message_size} as a refusal named it, when the call gets {@code BAD_REQUEST} instead: sending
   * it would only cost the channel and the replies behind it.
   */
  void replyResult(AMQP.BasicProperties request, byte[] value) throws IOException {
    long max = brokerMaxBytes;
    if (value.length > max) {
      replyError(request, ErrorCode.BAD_REQUEST, "the result takes " + value.length
          + " bytes encoded, more than the broker's max_message_size of " + max + " (it refused such a reply"
          + " before); it was not sent: " + RAISE_BROKER_LIMIT);
      return;
    }
    replyOk(request, value);
  }

  void replyOk(AMQP.BasicProperties request, byte[] body) throws IOException {
    reply(request, Protocol.T_REPLY, Protocol.STATUS_OK, Map.of(), body, Messages.resultContentType(request));
  }

  void replyError(AMQP.BasicProperties request, ErrorCode code, String message) throws IOException {
    replyError(request, WireError.of(code, message));
  }

  void replyError(AMQP.BasicProperties request, WireError error) throws IOException {
    reply(request, Protocol.T_REPLY, Protocol.STATUS_ERROR, Map.of(), Messages.errorBody(error), Protocol.JSON);
  }

  /**
   * Publishes a reply on the instance channel, logging it first (see {@link #answerRefused}). A
   * reply whose channel the broker has closed, the connection living on, goes again once the
   * channel is replaced: the close posted the re-bind ahead of it.
   */
  void reply(AMQP.BasicProperties request, String type, String status, Map<String, Object> headers, byte[] body,
      String contentType) throws IOException {
    reply(request, type, status, headers, body, contentType, false);
  }

  /** Sends again a reply that met its channel closed (see {@link #reply}). */
  void resend(InstanceTask.Resend again) throws IOException {
    reply(again.request(), again.type(), again.status(), again.headers(), again.body(), again.contentType(),
        again.answersRefusal());
  }

  private void reply(AMQP.BasicProperties request, String type, String status, Map<String, Object> headers, byte[] body,
      String contentType, boolean answersRefusal) throws IOException {
    Replies to = replies;
    to.log().record(Sent.of(request, type, answersRefusal), body.length);
    try {
      Messages.reply(to.channel(), request, type, status, headers, body, contentType);
    } catch (AlreadyClosedException e) {
      if (!to.channel().getConnection().isOpen()) {
        throw e; // the connection's loss is the worker's to handle, and the client's
      }
      loop.post(new InstanceTask.Resend(request, type, status, headers, body, contentType, answersRefusal));
    }
  }
}
