package io.warren.bench;

import io.warren.grid.spi.Codec;
import io.warren.grid.spi.MethodContract;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The codec alone, without a broker: one call's codec work for {@code Echo.echo(byte[])} (encode the
 * arguments, decode them, encode the result, decode it: what client and worker do per call together),
 * in thread CPU and bytes allocated per call, and the bytes each message carries. Runs in this JVM on
 * one thread; each figure is the median of timed rounds after warm-up rounds.
 */
final class CodecBench {
  /** One format and payload: CPU and allocation per call, message sizes. */
  record Row(String format, String payload, double cpuMicros, double allocatedBytes, int argumentBytes, int resultBytes) {}

  private static final int WARMUP_ROUNDS = 6;
  private static final int ROUNDS = 9;

  private CodecBench() {}

  static List<Row> run(Map<String, Codec> codecs, Map<String, byte[]> payloads, boolean quick) {
    MethodContract echo = EchoContract.ECHO;
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, byte[]> p : payloads.entrySet()) {
      byte[] payload = p.getValue();
      int calls = Math.max(200, (quick ? 2_000_000 : 8_000_000) / (payload.length + 64) * 8);
      for (Map.Entry<String, Codec> c : codecs.entrySet()) {
        Codec codec = c.getValue();
        Object[] args = {payload};
        byte[] encodedArgs = codec.encodeArguments(echo, args);
        byte[] encodedResult = codec.encodeResult(echo, payload);
        if (!Arrays.equals((byte[]) codec.decodeResult(echo, encodedResult), payload)) {
          throw new IllegalStateException(c.getKey() + " did not round-trip the payload");
        }
        double[] cpu = new double[ROUNDS];
        double[] allocated = new double[ROUNDS];
        for (int round = -WARMUP_ROUNDS; round < ROUNDS; round++) {
          long cpu0 = threads.getCurrentThreadCpuTime();
          long alloc0 = threads.getThreadAllocatedBytes(thread);
          long sink = 0;
          for (int i = 0; i < calls; i++) {
            byte[] a = codec.encodeArguments(echo, args);
            Object[] decoded = codec.decodeArguments(echo, a);
            byte[] r = codec.encodeResult(echo, decoded[0]);
            sink += ((byte[]) codec.decodeResult(echo, r)).length;
          }
          if (sink != (long) calls * payload.length) {
            throw new IllegalStateException("lost bytes");
          }
          if (round >= 0) {
            cpu[round] = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / calls;
            allocated[round] = (double) (threads.getThreadAllocatedBytes(thread) - alloc0) / calls;
          }
        }
        rows.add(new Row(c.getKey(), p.getKey(), Stats.median(cpu), Stats.median(allocated),
            encodedArgs.length, encodedResult.length));
      }
    }
    return rows;
  }

  /** The report's table. */
  static List<String> markdown(List<Row> rows) {
    List<String> lines = new ArrayList<>();
    lines.add("| format | payload | codec CPU us/call | allocated B/call | arguments B | result B |");
    lines.add("|---|---|---|---|---|---|");
    for (Row r : rows) {
      lines.add(String.format(Locale.ROOT, "| %s | %s | %.2f | %,.0f | %,d | %,d |",
          r.format(), r.payload(), r.cpuMicros(), r.allocatedBytes(), r.argumentBytes(), r.resultBytes()));
    }
    return lines;
  }
}
