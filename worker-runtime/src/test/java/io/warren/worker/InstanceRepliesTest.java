package io.warren.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.amqp.ChannelRefusal;
import io.warren.amqp.Protocol;
import io.warren.grid.ServiceId;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What an instance answers when the broker closes its reply channel, refusing a reply: here with a
 * reason that is not a size (ACCESS_REFUSED), so every logged reply gets an answer, and the answers'
 * own channel closed the same way gets none (else a broker refusing everything would close each
 * new channel in turn, for ever).
 */
class InstanceRepliesTest {
  private static final String DENIED = "ACCESS_REFUSED - write access to exchange 'amq.default' in vhost '/' refused";

  /** A reply channel that records what is published on it; nothing else is called. */
  private static final class RecordingChannel {
    final List<String> published = new ArrayList<>();
    final Channel channel = (Channel) Proxy.newProxyInstance(Channel.class.getClassLoader(), new Class<?>[] {Channel.class},
        (proxy, method, args) -> {
          if (method.getName().equals("basicPublish") && args.length == 5) {
            AMQP.BasicProperties props = (AMQP.BasicProperties) args[3];
            published.add(args[1] + " " + props.getCorrelationId() + " " + props.getHeaders().get(Protocol.H_STATUS) + " "
                + new String((byte[]) args[4], StandardCharsets.UTF_8));
            return null;
          }
          if (method.getName().equals("toString")) {
            return "recording channel";
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }

  @Test
  void eachReplyTheClosedChannelCarriedIsAnsweredOnceAndTheAnswersNeverAgain() throws Exception {
    TaskLoop<InstanceTask> loop = new TaskLoop<>("test", task -> false, task -> true, (task, e) -> {});
    InstanceReplies replies = new InstanceReplies(new ServiceId("svc"), 0, loop);
    RecordingChannel first = new RecordingChannel();
    InstanceReplies.Replies firstReplies = replies.switchTo(first.channel);
    replies.replyOk(request("call-1", Protocol.T_CALL, null), "1".getBytes(StandardCharsets.UTF_8));
    replies.reply(request("acq-1", Protocol.T_ACQUIRE, "lease-1"), Protocol.T_GRANT, Protocol.STATUS_OK, Map.of(), new byte[0],
        Protocol.JSON);

    // The broker closes the first channel; the instance re-binds, then answers on the second.
    RecordingChannel second = new RecordingChannel();
    InstanceReplies.Replies secondReplies = replies.switchTo(second.channel);
    Set<String> lostGrants = replies.answerRefused(new InstanceTask.RepliesRefused(refusal(), firstReplies.log()));

    assertEquals(Set.of("lease-1"), lostGrants, "the grant did not arrive: its lease must end");
    assertEquals(2, second.published.size(), second.published::toString);
    assertTrue(second.published.get(0).startsWith("reply-q call-1 error "), second.published::toString);
    assertTrue(second.published.get(0).contains("the call ran, but the broker closed the channel its reply went out on"),
        second.published::toString);
    assertTrue(second.published.get(1).startsWith("reply-q acq-1 error "), second.published::toString);

    // The broker refuses those answers too, and closes the second channel: nothing more is sent.
    RecordingChannel third = new RecordingChannel();
    replies.switchTo(third.channel);
    assertEquals(Set.of(), replies.answerRefused(new InstanceTask.RepliesRefused(refusal(), secondReplies.log())));
    assertEquals(List.of(), third.published);
  }

  private static AMQP.BasicProperties request(String id, String type, String lease) {
    return new AMQP.BasicProperties.Builder().replyTo("reply-q").correlationId(id).type(type)
        .headers(lease == null ? Map.of() : Map.of(Protocol.H_LEASE, lease)).build();
  }

  private static ChannelRefusal refusal() {
    AMQP.Channel.Close close = new AMQP.Channel.Close.Builder().replyCode(403).replyText(DENIED).build();
    return ChannelRefusal.of(new ShutdownSignalException(false, false, close, null));
  }
}
