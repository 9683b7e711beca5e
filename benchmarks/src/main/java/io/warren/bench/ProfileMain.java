package io.warren.bench;

import io.warren.grid.Grid;
import io.warren.grid.PublishOptions;
import io.warren.grid.ServiceId;
import io.warren.grid.WorkerInfo;
import io.warren.testing.RabbitMqBroker;
import io.warren.worker.LocalWorkers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one pipelined Warren case for a while and prints where each process spends its CPU, by thread:
 * the tool behind the "where the time goes" notes of docs/benchmarks.md. Arguments: instances,
 * prefetch, payload bytes, seconds, then any of the words {@code cbor} (the wire format), {@code sync}
 * (one call at a time instead of 64 in flight), {@code leased} (calls on one lease) and {@code chunks}
 * (chunks of {@link BenchMain#CHUNK} calls, 64 calls in flight), {@code direct} (results complete
 * where the replies arrive: {@code Grid.Builder.callbackExecutor(Runnable::run)}), {@code raw} (raw amqp-client
 * against the raw baseline server instead of Warren, the server counted as the worker) and {@code
 * shaped} (raw, in Warren's message shape: {@link MessageShape}), then worker
 * JVM options (starting with {@code -}). With {@code
 * -Dprofile.jfc=SETTINGS.jfc} each JVM (client and workers) also records a JFR file, started after the
 * warm-up through {@code jcmd}, into the printed log directory; with {@code
 * -Dprofile.async=/path/to/libasyncProfiler.so} (from the {@code tools.profiler:async-profiler} jar)
 * each JVM writes async-profiler's collapsed CPU stacks there instead.
 *
 * <pre>
 * java -cp "$(cat benchmarks/target/classpath.txt):benchmarks/target/classes" io.warren.bench.ProfileMain 2 20 64 30
 * </pre>
 */
public final class ProfileMain {
  private ProfileMain() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    int instances = Integer.parseInt(args[0]);
    int prefetch = Integer.parseInt(args[1]);
    byte[] payload = new byte[Integer.parseInt(args[2])];
    new java.util.Random(42).nextBytes(payload);
    double seconds = Double.parseDouble(args[3]);
    List<String> words = List.of(args).subList(4, args.length);
    boolean cbor = words.contains("cbor");
    boolean sync = words.contains("sync");
    boolean leased = words.contains("leased");
    boolean chunks = words.contains("chunks");
    boolean direct = words.contains("direct");
    boolean shaped = words.contains("shaped");
    boolean raw = shaped || words.contains("raw");
    List<String> jvm = new ArrayList<>(ServerJvm.OPTIONS);
    words.stream().filter(w -> w.startsWith("-")).forEach(jvm::add);
    try (RabbitMqBroker broker = RabbitMqBroker.start()) {
      long beam = Cpu.findBeam();
      Path logs = Files.createTempDirectory("warren-profile-");
      Grid.Builder builder = Grid.builder();
      if (direct) {
        builder.callbackExecutor(Runnable::run);
      }
      builder.broker(broker.uri()).credentials(broker.username(), broker.password())
          .prefetch(prefetch)
          .wireFormat(cbor ? io.warren.grid.WireFormat.CBOR : io.warren.grid.WireFormat.JSON);
      if (!raw) { // raw runs the baseline server instead: no Warren worker beside it to share the cores
        builder.workers(LocalWorkers.builder().count(1).slots(4).logDirectory(logs).jvmOptions(jvm).build());
      }
      try (Grid grid = builder.build()) {
        RawClient rawClient = raw ? new RawClient(broker.connectionFactory()) : null;
        BaselineServerProcess rawServer = raw
            ? new BaselineServerProcess(broker.uri(), broker.username(), broker.password(), logs.resolve("raw-server.log"))
            : null;
        if (shaped) {
          rawServer.serveRawShaped("profile.raw", prefetch, instances);
        } else if (raw) {
          rawServer.serveRaw("profile.raw", prefetch, instances);
        }
        long[] workers = raw ? new long[] {rawServer.pid()} : grid.workers().stream().mapToLong(WorkerInfo::pid).toArray();
        ServiceId id = raw ? null : grid.publish(new EchoService(), PublishOptions.defaults().instances(instances));
        io.warren.grid.Lease<Echo> lease = leased && !raw ? grid.acquire(id, Echo.class, java.time.Duration.ofSeconds(30)) : null;
        Echo any = raw ? null : leased ? lease.service() : grid.proxy(id, Echo.class);
        // A chunk counts as its calls: the chunks in flight hold the same 64 calls as the plain window.
        int perStart = chunks ? BenchMain.CHUNK : 1;
        int window = sync ? 1 : 64 / perStart;
        List<byte[]> chunk = java.util.Collections.nCopies(perStart, payload);
        byte[] shapedBody = MessageShape.body(payload); // the raw server echoes it: the reply's body is as long
        Harness.AsyncCall rawCall = shaped ? () -> rawClient.callShaped("profile.raw", shapedBody)
            : () -> rawClient.call("profile.raw", payload);
        Harness.AsyncCall call = raw
            ? sync ? () -> CompletableFuture.completedFuture(rawCall.start().get()) : rawCall
            : sync
            ? () -> CompletableFuture.completedFuture(any.echo(payload))
            : chunks
                ? () -> BenchMain.echoChunk(any, chunk)
                : () -> Grid.async(any, e -> e.echo(payload));
        long self = ProcessHandle.current().pid();
        ThreadCpu.readBeforeWarmUp(self);
        Harness.pipelined(call, window, 50_000 / perStart); // warm-up (JIT)
        long[] jvms = java.util.stream.LongStream.concat(java.util.stream.LongStream.of(self), java.util.Arrays.stream(workers)).toArray();
        String jfc = System.getProperty("profile.jfc");
        if (jfc != null) { // one recording per JVM, started after the warm-up, written when it ends
          jcmdEach(jvms, self, logs, ".jfr", file -> List.of("JFR.start", "settings=" + jfc,
              "duration=" + (int) seconds + "s", "filename=" + file));
        }
        String asyncProfiler = System.getProperty("profile.async");
        if (asyncProfiler != null) { // async-profiler's CPU samples, as collapsed stacks, from the same moment
          // One quoted argument: jcmd would read the options' '=' as its own name=value syntax.
          jcmdEach(jvms, self, logs, ".collapsed", file -> List.of("JVMTI.agent_load", asyncProfiler,
              "\"start,event=cpu,interval=1ms,timeout=" + (int) seconds + ",file=" + file + "\""));
        }
        Map<String, Long> clientBefore = ThreadCpu.ticksByThreadGroup(self);
        List<Map<String, Long>> workerBefore = new ArrayList<>();
        for (long w : workers) {
          workerBefore.add(ThreadCpu.ticksByThreadGroup(w));
        }
        long beamBefore = Cpu.nanos(beam);
        long start = System.nanoTime();
        long calls = 0;
        while (System.nanoTime() - start < seconds * 1e9) {
          Harness.pipelined(call, window, 2_000 / perStart);
          calls += 2_000;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        String contender = shaped ? "raw amqp-client, Warren's message shape" : raw ? "raw amqp-client"
            : (leased ? "leased" : "stateless") + (cbor ? " CBOR" : " JSON") + (direct ? ", direct callbacks" : "");
        System.out.printf(Locale.ROOT, "%s %s: %d instances, prefetch %d, %d B: %,d calls in %.1f s = %,.0f calls/s; broker %.1f us/call%n",
            sync ? "sync" : chunks ? "chunks of " + perStart : "pipelined", contender, instances, prefetch,
            payload.length, calls, elapsed, calls / elapsed, (Cpu.nanos(beam) - beamBefore) / 1e3 / calls);
        print("client", ThreadCpu.delta(clientBefore, ThreadCpu.ticksByThreadGroup(self)), calls);
        for (int i = 0; i < workers.length; i++) {
          print("worker " + workers[i], ThreadCpu.delta(workerBefore.get(i), ThreadCpu.ticksByThreadGroup(workers[i])), calls);
        }
        System.out.println("worker logs: " + logs);
        if (raw) {
          rawClient.close();
          rawServer.close();
        }
      }
    }
    System.exit(0);
  }

  /** Runs {@code jcmd PID COMMAND...} for each JVM; the command writes the file {@code client|worker-PID + suffix}. */
  private static void jcmdEach(long[] pids, long self, Path logs, String suffix,
      java.util.function.Function<Path, List<String>> command) throws Exception {
    for (long pid : pids) {
      List<String> line = new ArrayList<>(List.of("jcmd", Long.toString(pid)));
      line.addAll(command.apply(logs.resolve((pid == self ? "client" : "worker-" + pid) + suffix)));
      new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
  }

  private static void print(String who, Map<String, Long> ticks, long calls) {
    long total = ticks.values().stream().mapToLong(Long::longValue).sum();
    // One clock tick is 10 ms = 1e4 us.
    System.out.printf(Locale.ROOT, "%s: %.1f us/call%n", who, total * 1e4 / calls);
    ticks.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> System.out.printf(Locale.ROOT, "  %-28s %6.1f us/call%n", e.getKey(), e.getValue() * 1e4 / calls));
  }
}
