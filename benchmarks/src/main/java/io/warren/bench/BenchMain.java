package io.warren.bench;

import io.warren.grid.Grid;
import io.warren.grid.Lease;
import io.warren.grid.PublishOptions;
import io.warren.grid.ServiceId;
import io.warren.grid.WireFormat;
import io.warren.grid.WorkerInfo;
import io.warren.testing.RabbitMqBroker;
import io.warren.worker.LocalWorkers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * The Warren benchmark: starts a private RabbitMQ node, two local worker JVMs and a raw amqp-client
 * echo server JVM, then measures Warren against raw amqp-client, Spring AMQP and Java RMI side by side,
 * prints the table and writes {@code docs/benchmarks.md}. Run from the repository root:
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests \
 *   &amp;&amp; java -cp "$(cat benchmarks/target/classpath.txt):benchmarks/target/classes" io.warren.bench.BenchMain
 * </pre>
 *
 * Options: {@code --quick} (about a minute), {@code --memory-calls N} (default 1,000,000),
 * {@code --out FILE} (default {@code docs/benchmarks.md}), {@code --no-report}, {@code --only
 * codec,sync,pipelined,acquire,shipping,memory} (a subset of the sections), {@code --help}. Shipping starts a
 * private sshd (Debian's {@code openssh-server}) and no broker: {@code --only shipping} runs without RabbitMQ.
 */
public final class BenchMain {
  static final String COMMAND = "mvn -B -q -pl benchmarks -am package -DskipTests && "
      + "java -cp \"$(cat benchmarks/target/classpath.txt):benchmarks/target/classes\" io.warren.bench.BenchMain";
  private static final String OPTIONS =
      "--quick, --memory-calls N, --out FILE, --no-report, --only codec,sync,pipelined,acquire,shipping,memory, --help";
  /** A hand-written section of the report that a re-run keeps (appended after the generated part). */
  static final String CHANGES_HEADING = "## Changes and their effect";
  /** Every section, in the order they run; {@code --only} takes a comma-separated subset. */
  private static final java.util.Set<String> SECTIONS =
      java.util.Set.of("shipping", "codec", "sync", "pipelined", "acquire", "memory");
  private static final java.util.Set<String> BROKER_SECTIONS = java.util.Set.of("sync", "pipelined", "acquire", "memory");
  private static final int WINDOW = 64;
  /**
   * Spring AMQP RPC, both halves Spring: the client template against {@link SpringServer}'s listener
   * container. The rows named {@code ... / raw server} are the same client against the raw server.
   */
  private static final String SPRING_SYNC = "spring RabbitTemplate";
  /** Calls per chunk in the chunked rows ({@code Grid.asyncChunk}): the window holds 64 / 16 = 4 chunks. */
  static final int CHUNK = 16;
  private static final String CHUNKED = "warren chunks of " + CHUNK;
  private static final String SPRING_ASYNC = "spring AsyncRabbitTemplate";
  /** Raw client and server sending Warren's message shape ({@link MessageShape}): splits the gap ({@link GapSplit}). */
  private static final String SHAPED = "raw amqp-client, warren's shape";
  /** Warren with {@code Grid.Builder.callbackExecutor(Runnable::run)}: an option, checked apart from the defaults. */
  static final String DIRECT = "warren stateless, direct callbacks";
  private static final int HIGH_PREFETCH = 20;
  private static final Map<String, byte[]> PAYLOADS = new LinkedHashMap<>();

  static {
    Random random = new Random(42);
    for (int size : new int[] {64, 16 * 1024}) {
      byte[] bytes = new byte[size];
      random.nextBytes(bytes);
      PAYLOADS.put(size < 1024 ? size + " B" : size / 1024 + " KB", bytes);
    }
  }

  private final boolean quick;
  private final long memoryCalls;
  private final java.util.Set<String> only;
  private final List<Result> results = new ArrayList<>();
  private final List<String> memoryLines = new ArrayList<>();
  private final Map<String, String> versions = new LinkedHashMap<>();

  private BenchMain(boolean quick, long memoryCalls, java.util.Set<String> only) {
    this.quick = quick;
    this.memoryCalls = memoryCalls;
    this.only = only;
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    boolean quick = false;
    long memoryCalls = -1;
    Path out = Path.of("docs", "benchmarks.md");
    boolean report = true;
    java.util.Set<String> only = SECTIONS;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--memory-calls" -> memoryCalls = Long.parseLong(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--no-report" -> report = false;
        case "--only" -> only = sections(args[++i]);
        case "--help" -> {
          System.out.println("options: " + OPTIONS);
          return;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i] + " (use " + OPTIONS + ")");
      }
    }
    if (memoryCalls < 0) {
      memoryCalls = quick ? 100_000 : 1_000_000;
    }
    BenchMain bench = new BenchMain(quick, memoryCalls, only);
    long started = System.nanoTime();
    bench.runAll();
    double minutes = (System.nanoTime() - started) / 60e9;
    String text = Report.text(bench.results, bench.checks(), bench.optionChecks(), bench.gaps(), bench.memoryLines);
    System.out.println();
    System.out.println(text);
    System.out.printf(Locale.ROOT, "total %.1f min%n", minutes);
    if (report) {
      Files.createDirectories(out.toAbsolutePath().getParent());
      String kept = Report.keptSection(out, CHANGES_HEADING);
      Files.writeString(out, Report.markdown(Machine.describe(), bench.versions, quick, minutes,
          bench.results, bench.checks(), bench.optionChecks(), bench.gaps(), bench.memoryLines) + kept);
      System.out.println("wrote " + out.toAbsolutePath());
    }
    // Library threads (Spring's reply container monitor, RMI) must not keep a finished run alive.
    System.exit(0);
  }

  /** The sections {@code --only} names; an unknown name is an error, not a section silently skipped. */
  static java.util.Set<String> sections(String list) {
    java.util.Set<String> chosen = new java.util.LinkedHashSet<>(List.of(list.split(",")));
    for (String name : chosen) {
      if (!SECTIONS.contains(name)) {
        throw new IllegalArgumentException("--only: no section " + name + " (sections: " + String.join(",",
            new java.util.TreeSet<>(SECTIONS)) + ")");
      }
    }
    return chosen;
  }

  private void runAll() throws Exception {
    versions.put("JDK", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    // 4. Shipping. First: it needs no broker, so it runs on a quiet machine, and a machine without
    // sshd fails the run at once rather than after the long sections.
    if (only.contains("shipping")) {
      memoryLines.addAll(ShippingBench.run(versions, BenchMain::log));
    }
    // 0. The codec alone, JSON against CBOR: no broker, one thread of this JVM.
    if (only.contains("codec")) {
      log("codec: JSON and CBOR, encode + decode of arguments and result");
      Map<String, io.warren.grid.spi.Codec> codecs = new LinkedHashMap<>();
      codecs.put("JSON", io.warren.grid.spi.Codec.json());
      codecs.put("CBOR", io.warren.grid.spi.Codec.cbor());
      List<CodecBench.Row> rows = CodecBench.run(codecs, PAYLOADS, quick);
      rows.forEach(r -> log(String.format(Locale.ROOT, "codec %s %s: %.2f us/call, %,.0f B allocated/call", r.format(),
          r.payload(), r.cpuMicros(), r.allocatedBytes())));
      memoryLines.add("Codec alone (`CodecBench`: one thread encodes the arguments, decodes them, encodes the result "
          + "and decodes it, i.e. one call's codec work on client and worker together; median of 9 rounds after 6 "
          + "warm-up rounds; thread CPU and allocation from `ThreadMXBean`):");
      memoryLines.add("");
      memoryLines.addAll(CodecBench.markdown(rows));
      memoryLines.add("");
    }
    if (only.stream().anyMatch(BROKER_SECTIONS::contains)) {
      runOnBroker();
    }
  }

  /** Sections 1-3 and 5: everything that talks to RabbitMQ. */
  private void runOnBroker() throws Exception {
    // With the two settling rotations of 0.4 s (Harness.SETTLING_ROTATIONS) each contender warms up 2 s, as before them.
    double warmup = quick ? 0.3 : 1.2;
    // Every contender takes 15 turns of 0.4 s (6 s), in rotation with the others of its case. The
    // machine has slow stretches of a few seconds: with round 8's five turns of 1.2 s, one rotation
    // of seven or eight contenders took 8-10 s, so a slow stretch landed on two or three of them
    // and moved a ratio by 0.1-0.5x between runs of the same build. Short turns spread it over all
    // of them (sync since round 9, item 32; pipelined since round 10, item 37 of docs/benchmarks.md).
    double seconds = quick ? 0.3 : 0.4;
    int turns = quick ? 6 : 15;
    log("starting RabbitMQ");
    try (RabbitMqBroker broker = RabbitMqBroker.start()) {
      long beam = Cpu.findBeam();
      log("RabbitMQ node " + broker.nodeName() + " (beam pid " + beam + ")");
      ThreadCpu.readBeforeWarmUp(ProcessHandle.current().pid());
      Harness harness = new Harness(warmup, seconds, turns, beam);
      Path logs = Files.createTempDirectory("warren-bench-");
      try (RawClient raw = new RawClient(broker.connectionFactory());
          BaselineServerProcess server = new BaselineServerProcess(broker.uri(), broker.username(), broker.password(),
              logs.resolve("raw-server.log"));
          SpringClients spring = new SpringClients(broker.uri(), broker.username(), broker.password(), raw);
          RmiEchoServer rmi = new RmiEchoServer();
          Grid grid = Grid.builder()
              .broker(broker.uri())
              .credentials(broker.username(), broker.password())
              // One worker JVM, as the raw server is one JVM: the same layout on both sides.
              .workers(LocalWorkers.builder().count(1).slots(4).logDirectory(logs)
                  .jvmOptions(ServerJvm.OPTIONS) // as the raw server: not LocalWorkers' C1-only default
                  .build())
              .build();
          // A second client of the same workers whose services are hosted at a higher prefetch.
          Grid gridHigh = Grid.builder()
              .broker(broker.uri())
              .credentials(broker.username(), broker.password())
              .prefetch(HIGH_PREFETCH)
              .build();
          // A client that calls the services the two above publish, in CBOR instead of JSON.
          Grid cbor = Grid.builder()
              .broker(broker.uri())
              .credentials(broker.username(), broker.password())
              .wireFormat(WireFormat.CBOR)
              .build();
          // A client whose results complete where the replies arrive (an option, not the default).
          Grid direct = Grid.builder()
              .broker(broker.uri())
              .credentials(broker.username(), broker.password())
              .callbackExecutor(Runnable::run)
              .build()) {
        versions.put("RabbitMQ", String.valueOf(raw.connection().getServerProperties().get("version")));
        versions.put("amqp-client", com.rabbitmq.client.impl.ClientVersion.VERSION);
        versions.put("spring-rabbit", String.valueOf(
            org.springframework.amqp.rabbit.core.RabbitTemplate.class.getPackage().getImplementationVersion()));
        versions.put("Spring Framework", org.springframework.core.SpringVersion.getVersion());
        long[] workers = grid.workers().stream().mapToLong(WorkerInfo::pid).toArray();
        awaitWorkers(gridHigh, workers.length);
        awaitWorkers(cbor, workers.length);
        long[] rawPid = {server.pid()};
        log("worker pids " + java.util.Arrays.toString(workers) + ", raw server pid " + server.pid() + ", logs " + logs);
        warmUp(grid, cbor, raw, server, spring, quick ? 2_000 : 20_000);

        // 1. Sequential sync calls. One instance per Warren contender: a leased instance takes no stateless calls.
        for (Map.Entry<String, byte[]> p : only.contains("sync") ? PAYLOADS.entrySet() : java.util.Set.<Map.Entry<String, byte[]>>of()) {
          String label = p.getKey();
          byte[] payload = p.getValue();
          ServiceId stateless = grid.publish(new EchoService(), PublishOptions.defaults().instances(1));
          ServiceId forJsonLease = grid.publish(new EchoService(), PublishOptions.defaults().instances(1));
          ServiceId forCborLease = grid.publish(new EchoService(), PublishOptions.defaults().instances(1));
          server.serveRaw("bench.sync", 1, 1);
          server.serveRawShaped("bench.sync.shaped", 1, 1);
          server.serveSpring("bench.sync.spring", 1, 1);
          byte[] shapedBody = MessageShape.body(payload);
          RmiEcho stub = rmi.stub();
          try (Lease<Echo> jsonLease = grid.acquire(forJsonLease, Echo.class, Duration.ofSeconds(30));
              Lease<Echo> cborLease = cbor.acquire(forCborLease, Echo.class, Duration.ofSeconds(30))) {
            Echo any = grid.proxy(stateless, Echo.class);
            Echo anyCbor = cbor.proxy(stateless, Echo.class);
            Echo leased = jsonLease.service();
            Echo leasedCbor = cborLease.service();
            addAll(harness.compare(List.of(
                Harness.Contender.sync("sync", "warren stateless", label, 1, 1, workers, () -> any.echo(payload)),
                Harness.Contender.sync("sync", "warren leased", label, 1, 1, workers, () -> leased.echo(payload)),
                Harness.Contender.sync("sync", "warren stateless CBOR", label, 1, 1, workers,
                    () -> anyCbor.echo(payload)),
                Harness.Contender.sync("sync", "warren leased CBOR", label, 1, 1, workers,
                    () -> leasedCbor.echo(payload)),
                Harness.Contender.sync("sync", "raw amqp-client", label, 1, 1, rawPid,
                    () -> raw.call("bench.sync", payload).get()),
                Harness.Contender.sync("sync", SHAPED, label, 1, 1, rawPid,
                    () -> raw.callShaped("bench.sync.shaped", shapedBody).get()),
                Harness.Contender.sync("sync", SPRING_SYNC, label, 1, 1, rawPid,
                    () -> spring.call("bench.sync.spring", payload)),
                Harness.Contender.sync("sync", SPRING_SYNC + " / raw server", label, 1, 1, rawPid,
                    () -> spring.call("bench.sync", payload)),
                Harness.Contender.sync("sync", "java RMI (loopback)", label, 1, 0, new long[0],
                    () -> stub.echo(payload)))));
          }
          for (ServiceId id : List.of(stateless, forJsonLease, forCborLease)) {
            grid.terminate(id);
          }
          server.stop("bench.sync");
          server.stop("bench.sync.shaped");
          server.stop("bench.sync.spring");
        }

        // 2. Pipelined async calls, window 64.
        for (Map.Entry<String, byte[]> p : only.contains("pipelined") ? PAYLOADS.entrySet() : java.util.Set.<Map.Entry<String, byte[]>>of()) {
          String label = p.getKey();
          byte[] payload = p.getValue();
          boolean small = payload.length < 1024;
          int[] counts = quick ? new int[] {1, 4} : new int[] {1, 2, 4};
          if (!small && quick) {
            continue;
          }
          for (int n : counts) {
            for (int prefetch : new int[] {1, HIGH_PREFETCH}) {
              Grid g = prefetch == 1 ? grid : gridHigh;
              ServiceId id = g.publish(new EchoService(), PublishOptions.defaults().instances(n));
              String queue = "bench.pipe." + n + "." + prefetch;
              String springQueue = queue + ".spring";
              String shapedQueue = queue + ".shaped";
              byte[] shapedBody = MessageShape.body(payload);
              server.serveRaw(queue, prefetch, n);
              server.serveRawShaped(shapedQueue, prefetch, n);
              server.serveSpring(springQueue, prefetch, n);
              Echo any = g.proxy(id, Echo.class);
              Echo anyCbor = cbor.proxy(id, Echo.class);
              Echo anyDirect = direct.proxy(id, Echo.class);
              List<byte[]> chunkItems = java.util.Collections.nCopies(CHUNK, payload);
              addAll(harness.compare(List.of(
                  Harness.Contender.async("pipelined", "warren stateless", label, n, prefetch, WINDOW, workers,
                      () -> Grid.async(any, e -> e.echo(payload))),
                  Harness.Contender.async("pipelined", "warren stateless CBOR", label, n, prefetch, WINDOW, workers,
                      () -> Grid.async(anyCbor, e -> e.echo(payload))),
                  Harness.Contender.async("pipelined", DIRECT, label, n, prefetch, WINDOW, workers,
                      () -> Grid.async(anyDirect, e -> e.echo(payload))),
                  Harness.Contender.chunked("pipelined", CHUNKED, label, n, prefetch, WINDOW, CHUNK, workers,
                      () -> echoChunk(any, chunkItems)),
                  Harness.Contender.chunked("pipelined", CHUNKED + " CBOR", label, n, prefetch, WINDOW, CHUNK, workers,
                      () -> echoChunk(anyCbor, chunkItems)),
                  Harness.Contender.async("pipelined", "raw amqp-client", label, n, prefetch, WINDOW, rawPid,
                      () -> raw.call(queue, payload)),
                  Harness.Contender.async("pipelined", SHAPED, label, n, prefetch, WINDOW, rawPid,
                      () -> raw.callShaped(shapedQueue, shapedBody)),
                  Harness.Contender.async("pipelined", SPRING_ASYNC, label, n, prefetch, WINDOW, rawPid,
                      () -> spring.callAsync(springQueue, payload)),
                  Harness.Contender.async("pipelined", SPRING_ASYNC + " / raw server", label, n, prefetch, WINDOW,
                      rawPid, () -> spring.callAsync(queue, payload)))));
              g.terminate(id);
              server.stop(queue);
              server.stop(shapedQueue);
              server.stop(springQueue);
            }
          }
        }

        // 3. Acquire + release cycles.
        if (only.contains("acquire")) {
          ServiceId id = grid.publish(new EchoService(), PublishOptions.defaults().instances(1));
          Harness.SyncCall cycle = () -> {
            try (Lease<Echo> lease = grid.acquire(id, Echo.class, Duration.ofSeconds(30))) {
              lease.instance();
            }
          };
          // Its own JIT warm-up, as warmUp gives the calls: the lease code paths (acquire, grant, release
          // on client and worker) run nowhere else, and the case's 2 s of warm-up (about 1,500 cycles)
          // left the compilers at work through the timed turns: 321-389 us of compiler CPU per cycle,
          // a third of the cycle's CPU (docs/benchmarks.md, item 55).
          int cycles = quick ? 1_000 : 10_000;
          log("JIT warm-up: " + cycles + " acquire+release cycles");
          for (int i = 0; i < cycles; i++) {
            cycle.call();
          }
          addAll(harness.compare(List.of(Harness.Contender.sync("acquire+release", "warren acquire+close", "-", 1, 1,
              workers, cycle))));
          grid.terminate(id);
        }

        // 5. Memory after N pipelined calls.
        if (only.contains("memory")) {
          memory(gridHigh, workers);
        }
      }
    }
  }

  private void memory(Grid grid, long[] workers) throws Exception {
    int instances = 2;
    ServiceId id = grid.publish(new EchoService(), PublishOptions.defaults().instances(instances));
    Echo any = grid.proxy(id, Echo.class);
    byte[] payload = PAYLOADS.get("64 B");
    long step = Math.max(1, memoryCalls / 10);
    List<double[]> samples = new ArrayList<>(); // {calls, client, worker-1, worker-2, ...}
    Map<Long, Integer> column = new LinkedHashMap<>();
    long done = 0;
    Harness.pipelined(() -> Grid.async(any, e -> e.echo(payload)), WINDOW, Math.min(step, 20_000)); // warm-up
    long t0 = System.nanoTime();
    while (true) {
      double[] row = new double[2 + instances];
      row[0] = done;
      row[1] = Heap.usedAfterGc();
      for (CompletableFuture<long[]> f : grid.broadcast(id, Echo.class, Echo::heapAfterGc)) {
        long[] pidHeap = f.get();
        int col = column.computeIfAbsent(pidHeap[0], pid -> 2 + column.size());
        row[col] = pidHeap[1];
      }
      samples.add(row);
      log(String.format(Locale.ROOT, "memory after %,d calls: client %,d B, workers %s", done, (long) row[1],
          java.util.Arrays.toString(java.util.Arrays.copyOfRange(row, 2, 2 + column.size()))));
      if (done >= memoryCalls) {
        break;
      }
      Harness.pipelined(() -> Grid.async(any, e -> e.echo(payload)), WINDOW, step);
      done += step;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    grid.terminate(id);
    memoryLines.addAll(Report.memory(samples, new ArrayList<>(column.keySet()), seconds, instances, HIGH_PREFETCH));
  }

  /**
   * Runs every contender's code path before anything is measured, so that the JIT compilers of the
   * client, the workers and the raw server have compiled what the cases run (a short per-case warm-up
   * left C2 compiling for the first tens of seconds: 22 of the client's 71 us per call in the first
   * 20 s, 4 in the next 60 s). Not measured.
   */
  private static void warmUp(Grid grid, Grid cbor, RawClient raw, BaselineServerProcess server, SpringClients spring,
      int calls) throws Exception {
    log("JIT warm-up: " + calls + " pipelined and " + calls / 10 + " sync calls per contender and payload");
    ServiceId id = grid.publish(new EchoService(), PublishOptions.defaults().instances(2));
    server.serveRaw("bench.warmup", 1, 2);
    server.serveRawShaped("bench.warmup.shaped", 1, 2);
    server.serveSpring("bench.warmup.spring", 1, 2);
    for (byte[] payload : PAYLOADS.values()) {
      for (Grid client : List.of(grid, cbor)) {
        Echo any = client.proxy(id, Echo.class);
        Harness.pipelined(() -> Grid.async(any, e -> e.echo(payload)), WINDOW, calls);
        List<byte[]> chunk = java.util.Collections.nCopies(CHUNK, payload);
        Harness.pipelined(() -> echoChunk(any, chunk), WINDOW / CHUNK, calls / CHUNK);
        try (Lease<Echo> lease = client.acquire(id, Echo.class, Duration.ofSeconds(30))) {
          for (int i = 0; i < calls / 10; i++) {
            lease.service().echo(payload);
            any.echo(payload);
          }
        }
      }
      Harness.pipelined(() -> raw.call("bench.warmup", payload), WINDOW, calls);
      byte[] shapedBody = MessageShape.body(payload);
      Harness.pipelined(() -> raw.callShaped("bench.warmup.shaped", shapedBody), WINDOW, calls);
      for (String queue : List.of("bench.warmup", "bench.warmup.spring")) {
        Harness.pipelined(() -> spring.callAsync(queue, payload), WINDOW, calls);
        for (int i = 0; i < calls / 10; i++) {
          raw.call(queue, payload).get();
          spring.call(queue, payload);
        }
      }
    }
    server.stop("bench.warmup");
    server.stop("bench.warmup.shaped");
    server.stop("bench.warmup.spring");
    grid.terminate(id);
  }

  /** One chunk of echo calls ({@code Grid.asyncChunk}), done when every call of it is. */
  static CompletableFuture<Void> echoChunk(Echo proxy, List<byte[]> payloads) {
    return CompletableFuture.allOf(Grid.asyncChunk(proxy, payloads, Echo::echo).toArray(CompletableFuture[]::new));
  }

  /**
   * Waits until {@code grid} has heard every worker's heartbeat: a grid built just now knows none,
   * and publishing on it at once (e.g. {@code --only memory}) would find no live worker.
   */
  private static void awaitWorkers(Grid grid, int count) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (grid.workers().stream().filter(w -> "UP".equals(w.state())).count() < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the second grid saw no heartbeat from " + count + " workers within 30 s");
      }
      Thread.sleep(50);
    }
  }

  /** The targets, for Warren as built by default; {@link #optionChecks()} has the options' rows. */
  private List<Check> checks() {
    List<Check> checks = new ArrayList<>();
    for (String payload : PAYLOADS.keySet()) {
      Result raw = find("sync", "raw amqp-client", payload, 1, 1);
      for (String name : List.of("warren stateless", "warren leased", "warren stateless CBOR", "warren leased CBOR")) {
        Result warren = find("sync", name, payload, 1, 1);
        if (raw != null && warren != null) {
          checks.add(Check.atMost("sync " + payload + " " + name + " p50 / raw p50", warren.p50Micros(), raw.p50Micros(), 1.15)
              .withTurns(warren, raw, Harness.Run::p50));
        }
      }
    }
    for (Result r : results) {
      if (r.section().equals("pipelined") && r.name().startsWith("warren") && !r.name().equals(DIRECT)) {
        checks.addAll(pipelinedChecks(r,
            (r.name().startsWith(CHUNKED) ? ", " + CHUNKED : "") + (r.name().endsWith("CBOR") ? ", CBOR" : "")));
      }
    }
    return checks;
  }

  /** The pipelined targets for the rows of an option ({@link #DIRECT}), counted apart from the defaults. */
  private List<Check> optionChecks() {
    List<Check> checks = new ArrayList<>();
    for (Result r : results) {
      if (r.section().equals("pipelined") && r.name().equals(DIRECT)) {
        checks.addAll(pipelinedChecks(r, ", direct callbacks"));
      }
    }
    return checks;
  }

  /**
   * A pipelined row against raw (0.85x) and Spring (1.5x) in its case, where those were measured;
   * {@code variant} follows the case in the targets' names (e.g. {@code ", CBOR"}).
   */
  private List<Check> pipelinedChecks(Result r, String variant) {
    String where = r.payload() + ", " + r.instances() + " inst, prefetch " + r.prefetch() + variant;
    List<Check> checks = new ArrayList<>();
    Result raw = find("pipelined", "raw amqp-client", r.payload(), r.instances(), r.prefetch());
    Result spring = find("pipelined", SPRING_ASYNC, r.payload(), r.instances(), r.prefetch());
    if (raw != null) {
      checks.add(Check.atLeast("pipelined " + where + ": warren / raw", r.rate(), raw.rate(), 0.85)
          .withTurns(r, raw, Harness.Run::rate));
    }
    if (spring != null) {
      checks.add(Check.atLeast("pipelined " + where + ": warren / spring", r.rate(), spring.rate(), 1.5)
          .withTurns(r, spring, Harness.Run::rate));
    }
    return checks;
  }

  /** Warren's gap to raw split by the shaped contender, where a case has all three (JSON, stateless). */
  private List<GapSplit> gaps() {
    List<GapSplit> gaps = new ArrayList<>();
    for (Result shaped : results) {
      if (!shaped.name().equals(SHAPED)) {
        continue;
      }
      Result raw = find(shaped.section(), "raw amqp-client", shaped.payload(), shaped.instances(), shaped.prefetch());
      Result warren = find(shaped.section(), "warren stateless", shaped.payload(), shaped.instances(), shaped.prefetch());
      if (raw == null || warren == null) {
        continue;
      }
      boolean sync = shaped.section().equals("sync");
      String what = sync ? "sync " + shaped.payload()
          : "pipelined " + shaped.payload() + ", " + shaped.instances() + " inst, prefetch " + shaped.prefetch();
      gaps.add(sync ? GapSplit.of(what, "p50", warren.p50Micros(), shaped.p50Micros(), raw.p50Micros())
          : GapSplit.of(what, "rate", warren.rate(), shaped.rate(), raw.rate()));
    }
    return gaps;
  }

  private Result find(String section, String name, String payload, int instances, int prefetch) {
    return results.stream().filter(r -> r.section().equals(section) && r.is(name, payload, instances, prefetch))
        .findFirst().orElse(null);
  }

  private void addAll(List<Result> measured) {
    measured.forEach(this::add);
  }

  private void add(Result result) {
    results.add(result);
    log(String.format(Locale.ROOT, "%-16s %-36s %-5s inst %d pf %2d: %,9.0f calls/s  p50 %s us  p99 %s us",
        result.section(), result.name(), result.payload(), result.instances(), result.prefetch(), result.rate(),
        Table.number(result.p50Micros()), Table.number(result.p99Micros())));
  }

  private static void log(String line) {
    System.out.println("[bench] " + line);
    System.out.flush();
  }
}
