package io.warren.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The baselines' echo server, in its own JVM like a Warren worker: raw amqp-client consumers (the
 * floor Warren is measured against) and Spring AMQP listener containers (the server half of a Spring
 * AMQP RPC). Commands on standard input, one per line, each answered on standard output:
 * {@code serve KIND QUEUE PREFETCH CONSUMERS} -> {@code ready}, where KIND is {@code raw},
 * {@code raw-shaped} (raw, with Warren's message shape: {@link MessageShape}) or {@code spring};
 * {@code stop QUEUE} -> {@code stopped}. Every kind replies to {@code reply_to} with the request's
 * correlation id, then acks (ack after reply, as Warren does). Broker address and
 * credentials come from {@code BENCH_URI}, {@code BENCH_USER}, {@code BENCH_PASS}.
 */
public final class BaselineServer {
  private BaselineServer() {}

  public static void main(String[] args) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    URI uri = URI.create(System.getenv("BENCH_URI"));
    factory.setUri(uri);
    factory.setUsername(System.getenv("BENCH_USER"));
    factory.setPassword(System.getenv("BENCH_PASS"));
    Map<String, AutoCloseable> served = new HashMap<>();
    try (Connection connection = factory.newConnection("warren-bench-raw-server");
        SpringServer spring = new SpringServer(uri, factory.getUsername(), factory.getPassword());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] words = line.trim().split(" +");
        if (words[0].equals("serve")) {
          String queue = words[2];
          int prefetch = Integer.parseInt(words[3]);
          int consumers = Integer.parseInt(words[4]);
          boolean shaped = words[1].equals("raw-shaped");
          try (Channel declare = connection.createChannel()) {
            declare.queueDeclare(queue, shaped && MessageShape.DURABLE, false, false, null);
          }
          served.put(queue, switch (words[1]) {
            case "raw", "raw-shaped" -> serveRaw(connection, queue, prefetch, consumers, shaped);
            case "spring" -> spring.serve(queue, prefetch, consumers);
            default -> throw new IllegalArgumentException("unknown server kind " + words[1]);
          });
          System.out.println("ready");
        } else if (words[0].equals("stop")) {
          served.remove(words[1]).close();
          try (Channel channel = connection.createChannel()) {
            channel.queueDelete(words[1]);
          }
          System.out.println("stopped");
        }
        System.out.flush();
      }
    }
    // End of input: the driving JVM closed it or died. Exit even if a library thread (Spring's
    // listener containers) is still alive, so that a killed benchmark leaves no server behind.
    System.exit(0);
  }

  /**
   * Raw consumers: a channel each with {@code basic.qos(prefetch)}; reply, then ack. {@code shaped}:
   * the reply carries Warren's reply properties ({@link MessageShape}).
   */
  private static AutoCloseable serveRaw(Connection connection, String queue, int prefetch, int consumers, boolean shaped)
      throws Exception {
    java.util.List<Channel> channels = new java.util.ArrayList<>();
    for (int i = 0; i < consumers; i++) {
      Channel channel = connection.createChannel();
      channel.basicQos(prefetch);
      channel.basicConsume(queue, false, (tag, delivery) -> {
        String correlationId = delivery.getProperties().getCorrelationId();
        AMQP.BasicProperties props = shaped
            ? MessageShape.reply(correlationId)
            : new AMQP.BasicProperties.Builder().correlationId(correlationId).build();
        channel.basicPublish("", delivery.getProperties().getReplyTo(), props, delivery.getBody());
        channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
      }, tag -> {});
      channels.add(channel);
    }
    return () -> {
      for (Channel channel : channels) {
        channel.close();
      }
    };
  }
}
