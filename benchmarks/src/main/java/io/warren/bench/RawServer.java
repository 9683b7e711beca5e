package io.warren.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The raw amqp-client echo server, in its own JVM like a Warren worker: the floor Warren is measured
 * against. Commands on standard input, one per line, each answered on standard output:
 * {@code serve QUEUE PREFETCH CONSUMERS} -> {@code ready}; {@code stop QUEUE} -> {@code stopped}.
 * Each consumer has its own channel with {@code basic.qos(PREFETCH)}, publishes the reply to
 * {@code reply_to} with the request's correlation id, then acks (ack after reply, as Warren does).
 * Broker address and credentials come from {@code BENCH_URI}, {@code BENCH_USER}, {@code BENCH_PASS}.
 */
public final class RawServer {
  private RawServer() {}

  public static void main(String[] args) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(URI.create(System.getenv("BENCH_URI")));
    factory.setUsername(System.getenv("BENCH_USER"));
    factory.setPassword(System.getenv("BENCH_PASS"));
    Map<String, List<Channel>> served = new HashMap<>();
    try (Connection connection = factory.newConnection("warren-bench-raw-server");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] words = line.trim().split(" +");
        if (words[0].equals("serve")) {
          served.put(words[1], serve(connection, words[1], Integer.parseInt(words[2]), Integer.parseInt(words[3])));
          System.out.println("ready");
        } else if (words[0].equals("stop")) {
          for (Channel channel : served.remove(words[1])) {
            channel.close();
          }
          try (Channel channel = connection.createChannel()) {
            channel.queueDelete(words[1]);
          }
          System.out.println("stopped");
        }
        System.out.flush();
      }
    }
  }

  private static List<Channel> serve(Connection connection, String queue, int prefetch, int consumers) throws Exception {
    try (Channel declare = connection.createChannel()) {
      declare.queueDeclare(queue, false, false, false, null);
    }
    List<Channel> channels = new ArrayList<>();
    for (int i = 0; i < consumers; i++) {
      Channel channel = connection.createChannel();
      channel.basicQos(prefetch);
      channel.basicConsume(queue, false, (tag, delivery) -> {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
            .correlationId(delivery.getProperties().getCorrelationId())
            .build();
        channel.basicPublish("", delivery.getProperties().getReplyTo(), props, delivery.getBody());
        channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
      }, tag -> {});
      channels.add(channel);
    }
    return channels;
  }
}
