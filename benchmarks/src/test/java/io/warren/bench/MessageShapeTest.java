package io.warren.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.warren.amqp.Messages;
import io.warren.amqp.Protocol;
import io.warren.grid.Grid;
import io.warren.grid.ServiceId;
import io.warren.grid.spi.CallEnvelope;
import io.warren.grid.spi.CallMessage;
import io.warren.grid.spi.Codec;
import io.warren.grid.spi.MethodContract;
import io.warren.testing.RabbitMqBroker;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link MessageShape} carries what Warren's messages carry: a Warren client's real call, caught on
 * its service queue by a raw consumer, and a Warren worker's real reply ({@link Messages#replyOk}),
 * caught on a raw reply queue, have the shaped messages' body (but for the deadline's digits), type,
 * content type and headers.
 * On the Debian RabbitMQ the benchmarks use (fails, not skips, without it).
 */
class MessageShapeTest {
  private static final MethodContract ECHO = EchoContract.ECHO;

  @Test
  void requestAndReplyMatchWhatWarrenSends() throws Exception {
    RabbitMqBroker broker = RabbitMqBroker.shared();
    byte[] payload = {1, 2, 3, 4, 5};
    ServiceId service = new ServiceId("shape-probe");
    BlockingQueue<AMQP.BasicProperties> calls = new ArrayBlockingQueue<>(1);
    BlockingQueue<byte[]> callBodies = new ArrayBlockingQueue<>(1);
    BlockingQueue<AMQP.BasicProperties> replies = new ArrayBlockingQueue<>(1);
    try (Connection connection = broker.connectionFactory().newConnection("message-shape-test");
        Grid grid = Grid.builder().broker(broker.uri()).credentials(broker.username(), broker.password()).build()) {
      Channel channel = connection.createChannel();
      String serviceQueue = Protocol.serviceQueue(service);
      channel.queueDeclare(serviceQueue, MessageShape.DURABLE, false, false, Protocol.serviceQueueArguments(false));
      String replyQueue = channel.queueDeclare().getQueue();
      // The service queue's consumer answers as a worker does: Warren's own reply code, to the caller
      // and (a copy) to replyQueue, where this test reads the reply's properties.
      channel.basicConsume(serviceQueue, true, (tag, delivery) -> {
        AMQP.BasicProperties request = delivery.getProperties();
        calls.add(request);
        callBodies.add(delivery.getBody());
        Object[] args = Codec.json().decodeArguments(ECHO, Codec.json().readCall(delivery.getBody()));
        byte[] result = Codec.json().encodeResult(ECHO, args[0]);
        Messages.replyOk(channel, request, result);
        Messages.replyOk(channel, request.builder().replyTo(replyQueue).build(), result);
      }, tag -> {});
      channel.basicConsume(replyQueue, true, (tag, delivery) -> replies.add(delivery.getProperties()), tag -> {});

      assertArrayEquals(payload, grid.proxy(service, Echo.class).echo(payload), "the call went through");

      AMQP.BasicProperties warrenCall = calls.poll(10, TimeUnit.SECONDS);
      AMQP.BasicProperties shapedCall = MessageShape.request("1", "reply-queue");
      assertEquals(shapedCall.getType(), warrenCall.getType());
      assertEquals(shapedCall.getContentType(), warrenCall.getContentType());
      assertNull(warrenCall.getHeaders(), "a call carries no headers table");
      assertNull(shapedCall.getHeaders());
      // The bodies differ only in the deadline's digits: same envelope otherwise, same arguments, same size.
      byte[] warrenBody = callBodies.poll(10, TimeUnit.SECONDS);
      byte[] shapedBody = MessageShape.body(payload);
      CallMessage warren = Codec.json().readCall(warrenBody);
      CallMessage shaped = Codec.json().readCall(shapedBody);
      assertEquals(withoutDeadline(shaped.envelope()), withoutDeadline(warren.envelope()));
      assertEquals(shapedBody.length, warrenBody.length);
      assertArrayEquals(Arrays.copyOfRange(shapedBody, shaped.argumentsOffset(), shapedBody.length),
          Arrays.copyOfRange(warrenBody, warren.argumentsOffset(), warrenBody.length));

      AMQP.BasicProperties warrenReply = replies.poll(10, TimeUnit.SECONDS);
      AMQP.BasicProperties shapedReply = MessageShape.reply("1");
      assertEquals(shapedReply.getType(), warrenReply.getType());
      assertEquals(shapedReply.getContentType(), warrenReply.getContentType());
      assertEquals(shapedReply.getHeaders().keySet(), warrenReply.getHeaders().keySet());
      assertEquals(String.valueOf(shapedReply.getHeaders().get(Protocol.H_STATUS)),
          String.valueOf(warrenReply.getHeaders().get(Protocol.H_STATUS)));
      channel.queueDelete(serviceQueue);
    }
  }

  private static CallEnvelope withoutDeadline(CallEnvelope envelope) {
    return new CallEnvelope(envelope.interfaceName(), envelope.signature(), 0, envelope.leaseId(), envelope.chunk());
  }
}
