package io.warren.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a run: the console text and {@code docs/benchmarks.md}. */
final class Report {
  private Report() {}

  private static final String OPTIONS_TITLE = "Targets with an option: results completed where the replies arrive";

  /** How many rows of the compilation table: the ones where the JIT took the most. */
  static final int COMPILATION_ROWS = 5;

  static String text(List<Result> results, List<Check> checks, List<Check> options, List<GapSplit> gaps,
      List<String> memory) {
    String compilation = timedInTurns(results).isEmpty() ? ""
        : "\n" + compilationSummary(results) + "\n" + Table.ofCompilation(mostCompiled(results)).text();
    // A section with no rows (a run --only some sections) is left out rather than printed empty.
    return Table.of(results).text() + compilation
        + (checks.isEmpty() ? "" : "\nTargets (ratio to the baseline measured in this run)\n"
            + Table.ofChecks(checks).text() + verdicts(checks) + "\n")
        + (options.isEmpty() ? "" : "\n" + OPTIONS_TITLE + "\n" + Table.ofChecks(options).text() + verdicts(options) + "\n")
        + (gaps.isEmpty() ? "" : "\nWhere the gap to raw is (message shape, Warren's code)\n" + Table.ofGaps(gaps).text())
        + "\n" + String.join("\n", memory) + "\n";
  }

  /**
   * The rows timed in turns whose compiler threads took the most CPU per call, most first: where the
   * JIT warm-up left the most to compile.
   */
  static List<Result> mostCompiled(List<Result> results) {
    return timedInTurns(results).stream()
        .sorted(java.util.Comparator.comparingDouble(Result::compilerCpuMicros).reversed())
        .limit(COMPILATION_ROWS).toList();
  }

  /** One sentence: the median and the largest compiler CPU per call over the rows timed in turns. */
  static String compilationSummary(List<Result> results) {
    List<Result> timed = timedInTurns(results);
    if (timed.isEmpty()) {
      return "No rows were timed in turns: nothing to say about compilation.";
    }
    double[] perCall = timed.stream().mapToDouble(Result::compilerCpuMicros).toArray();
    double[] shares = timed.stream().mapToDouble(r -> r.compilerCpuMicros() / r.processCpuMicros()).toArray();
    return String.format(Locale.ROOT, "JIT compilation during the timed turns (compiler threads of the client and the "
        + "serving JVMs): median %.1f us per call over %d rows (%.1f%% of their client and serving CPU), the most %.1f us "
        + "per call:", Stats.median(perCall), timed.size(), 100 * Stats.median(shares),
        java.util.Arrays.stream(perCall).max().orElse(Double.NaN));
  }

  private static List<Result> timedInTurns(List<Result> results) {
    return results.stream().filter(r -> !Double.isNaN(r.compilerCpuMicros())).toList();
  }

  /** How many targets were met, and how many of the missed ones lie within the run's turn-to-turn spread. */
  static String verdicts(List<Check> checks) {
    long met = checks.stream().filter(Check::met).count();
    long withinSpread = checks.stream().filter(c -> !c.met() && c.middleHalfReachesLimit()).count();
    return String.format(Locale.ROOT, "Met %d of %d. Missed %d, of which %d reach the limit within the middle half of their turns.",
        met, checks.size(), checks.size() - met, withinSpread);
  }

  /**
   * Memory lines: heap after GC at each sample and the least-squares growth per call.
   *
   * @param samples rows of {calls, client heap, worker heap...}
   */
  static List<String> memory(List<double[]> samples, List<Long> workerPids, double seconds, int instances, int prefetch) {
    List<String> lines = new ArrayList<>();
    long calls = (long) samples.get(samples.size() - 1)[0];
    lines.add(String.format(Locale.ROOT,
        "Memory: heap used after System.gc(), sampled every %,d of %,d pipelined 64 B calls (window 64, %d instances, "
            + "prefetch %d; %.0f s, %,.0f calls/s including the samples)",
        samples.size() > 1 ? (long) samples.get(1)[0] : 0, calls, instances, prefetch, seconds, calls / seconds));
    List<String> header = new ArrayList<>(List.of("calls", "client heap KiB"));
    workerPids.forEach(pid -> header.add("worker " + pid + " heap KiB"));
    Table table = new Table(header);
    for (double[] row : samples) {
      List<String> cells = new ArrayList<>(List.of(String.format(Locale.ROOT, "%,d", (long) row[0])));
      for (int i = 1; i < header.size(); i++) {
        cells.add(Table.number(row[i] / 1024));
      }
      table.row(cells);
    }
    lines.add("");
    lines.add(table.markdown());
    // Growth per call from the samples after the first (which follows only the warm-up).
    List<double[]> steady = samples.size() > 2 ? samples.subList(1, samples.size()) : samples;
    double[] x = steady.stream().mapToDouble(r -> r[0]).toArray();
    StringBuilder growth = new StringBuilder("Growth per call (least-squares slope over the samples after the first): ");
    for (int i = 1; i < header.size(); i++) {
      int col = i;
      double[] y = steady.stream().mapToDouble(r -> r[col]).toArray();
      growth.append(String.format(Locale.ROOT, "%s%s %.4f B/call", i > 1 ? "; " : "",
          header.get(i).replace(" heap KiB", ""), x.length > 1 ? Stats.slope(x, y) : Double.NaN));
    }
    lines.add(growth.toString());
    return lines;
  }

  static String markdown(Map<String, String> machine, Map<String, String> versions, boolean quick, double minutes,
      List<Result> results, List<Check> checks, List<Check> options, List<GapSplit> gaps, List<String> memory) {
    StringBuilder md = new StringBuilder();
    md.append("# Warren benchmarks\n\n");
    md.append("Generated by `io.warren.bench.BenchMain` (module `benchmarks`)")
        .append(quick ? " in `--quick` mode (short runs: indicative only)" : "")
        .append(String.format(Locale.ROOT, "; the run took %.1f min.", minutes)).append("\n\n");
    md.append("## Command\n\nFrom the repository root (installs nothing; needs Debian's `rabbitmq-server` and, for "
        + "shipping, `openssh-server`, see `scripts/install-test-deps.sh`):\n\n```sh\n").append(BenchMain.COMMAND)
        .append("\n```\n\nAdd `--quick` for a one-minute run, `--memory-calls N` to change the memory run "
            + "(default 1,000,000), `--only shipping` for the shipping section alone (no broker).\n\n");
    md.append("## Machine\n\n");
    machine.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    md.append("\n## Versions\n\n");
    versions.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    md.append("\n## Method\n\n").append(METHOD).append("\n## Results\n\n").append(Table.of(results).markdown());
    if (!timedInTurns(results).isEmpty()) {
      md.append("\n### Compilation during the timed turns\n\nThe CPU that the JIT's compiler threads took while a row "
          + "was timed, read from `/proc/<pid>/task` before and after each turn for the client and the serving JVMs (it "
          + "is part of their CPU columns above): what the warm-up left to compile. ").append(compilationSummary(results))
          .append("\n\n").append(Table.ofCompilation(mostCompiled(results)).markdown());
    }
    if (!checks.isEmpty()) {
      md.append("\n## Targets\n\nEach ratio is against the baseline measured in the same run, same broker, same payload, "
          + "same prefetch and window; the verdict is the ratio of the two medians. The turn columns take the same ratio "
          + "turn by turn (a contender's turn k against the baseline's turn k, from the same rotation): their middle half "
          + "(25th to 75th percentile) and how many turns reach the limit. A middle half that straddles the limit "
          + "means this run cannot tell the two sides of it apart.\n\n").append(Table.ofChecks(checks).markdown());
      md.append('\n').append(verdicts(checks)).append('\n');
    }
    if (!options.isEmpty()) {
      md.append("\n### ").append(OPTIONS_TITLE).append("\n\nThe same pipelined targets for `").append(BenchMain.DIRECT)
          .append("`: a JSON client built with `callbackExecutor(Runnable::run)`, whose results complete on the "
          + "thread where the reply arrives instead of the grid's callback pool (one thread hand-off fewer per call; its "
          + "callbacks must not block). Counted apart: the targets above are Warren's defaults.\n\n")
          .append(Table.ofChecks(options).markdown()).append('\n').append(verdicts(options)).append('\n');
    }
    if (!gaps.isEmpty()) {
      md.append("\n## Where the gap to raw is\n\nA third contender, raw amqp-client client and server sending Warren's "
          + "message shape (`MessageShape`: the JSON body Warren's codec writes, the call's envelope and arguments, the "
          + "request's `type` and `content_type`, published `mandatory` to a durable queue, the reply's `type`, "
          + "`content_type` and status header), splits Warren's gap to raw in two: what Warren's messages cost (raw in Warren's shape against raw) "
          + "and what Warren's own code costs (Warren against raw in its shape). The two multiply to the first ratio. "
          + "Sync rows compare p50 latency (above 1x is slower), pipelined rows the rate (below 1x is slower); "
          + "JSON only, as the shape is JSON's.\n\n").append(Table.ofGaps(gaps).markdown());
    }
    md.append("\n## Memory and shipping\n\n");
    memory.forEach(line -> md.append(line).append('\n'));
    md.append("\n## Notes\n\n").append(NOTES);
    return md.toString();
  }

  private static final String METHOD = """
      - One RabbitMQ node (Debian `rabbitmq-server`, private node started by the harness), one client JVM
        (this harness), one Warren worker JVM (`LocalWorkers`, 4 slots: instances of a service share it,
        as on one host) and one baseline echo server JVM (`BaselineServer`). It serves each raw queue with
        amqp-client consumers (a channel per consumer, `basic.qos(prefetch)`, reply then ack each call, the
        way an amqp-client RPC server is written; Warren's worker also acks after the reply, but at
        prefetch 4 and above one `basic.ack multiple` per prefetch/2 answered calls: changes, item 29)
        and each Spring queue with a Spring AMQP `SimpleMessageListenerContainer` (Spring Boot's default
        container; N concurrent consumers at the same prefetch, a `MessageListenerAdapter`
        whose echo method's return value is the reply, ack after it: `SpringServer`). Everything shares the
        machine's cores.
      - The Warren workers and the baseline server run with the same JVM options (`ServerJvm.OPTIONS`: none,
        the JVM's defaults, so C1+C2 tiered JIT, G1 and the default heap on both sides), set through
        `LocalWorkers.Builder.jvmOptions`; `LocalWorkers`' own default (`-XX:TieredStopAtLevel=1`, C1
        only, for quick test start-up) is not used here.
      - Every contender echoes the same random `byte[]` (64 B and 16 KB). Warren sends it through its
        codec: the rows without a suffix use JSON, Warren's default (base64 inside a JSON array); the
        rows marked CBOR are a third client built with `wireFormat(WireFormat.CBOR)` calling the same
        services on the same workers (the bytes as a CBOR byte string). Raw, Spring and RMI send the bytes
        as they are.
      - JIT warm-up before any case (`BenchMain.warmUp`, not measured): 20,000 pipelined and 2,000 sync
        calls of every contender and payload (Warren JSON and CBOR, stateless and leased, raw, Spring),
        so that no case pays for the client's, the workers' or the baseline server's C2 compilation
        (measured: "Compilation during the timed turns" under Results). The acquire+release case has
        its own: 10,000 cycles before its turns (`--quick`: 1,000), as lease code runs nowhere else.
      - Each case: a 1.2 s warm-up run of each contender, then two untimed rotations of turns (one
        contender's warm-up can make the JIT drop code another contender compiled: classes loaded for
        the first time, receiver types not seen before; the recompiling happens there instead of in
        the first timed turns), then 15 timed runs of 0.4 s (`--quick`: 0.3 s of warm-up, 6 runs of
        0.3 s). Rate and CPU are the median over the runs. The contenders of one table group (same
        section, payload, instances and prefetch) take their timed runs in turn (run 1 of each, then
        run 2 of each, ...), so that a slow stretch of the shared machine falls on all of them; the
        median ignores the slow runs of a contender.
      - sync: one thread, one call at a time; p50/p99 over the wall time of every call of every timed run
        of a contender (not a median of per-run percentiles). Raw: exclusive server-named
        reply queue, correlation ids. Spring: `RabbitTemplate.convertSendAndReceive` with its default direct
        reply-to, against the Spring listener (Spring AMQP RPC, both halves Spring: the target's baseline)
        and, in the row marked `/ raw server`, against the raw consumers. RMI: `UnicastRemoteObject` on
        loopback in the client JVM (no broker; its server CPU is in the client column).
      - pipelined: one issuing thread, at most 64 calls in flight (a semaphore), N instances/consumers at the
        given prefetch. Warren: `Grid.async(proxy, e -> e.echo(payload))`; prefetch 20 is a second `Grid`
        built with `prefetch(20)` on the same workers. Raw: the same client as above, pipelined. Spring:
        `AsyncRabbitTemplate` with a reply-queue listener container, against the Spring listener and (`/ raw
        server`) against the raw consumers. The rows `warren chunks of 16` (JSON) and `warren chunks of 16
        CBOR` send 16 echo calls per message with `Grid.asyncChunk`, 4 chunks (the same 64 calls) in
        flight; their rate counts calls, and they are checked against the same one-message-per-call
        baselines. The row `warren stateless, direct callbacks` is a fourth client, JSON, built with
        `callbackExecutor(Runnable::run)` (an option: results complete on the thread where the reply
        arrives); its targets are counted apart from the defaults'.
      - `raw amqp-client, warren's shape`: the raw client and the raw consumers again, sending what
        Warren's JSON messages carry (`MessageShape`: body, properties, the reply's header, `mandatory`,
        a durable queue) and running none of Warren's code; it splits Warren's gap to raw (section "Where the gap
        to raw is").
      - codec: `CodecBench`, in the harness's JVM without a broker (see its table).
      - CPU per call: utime+stime deltas from `/proc/<pid>/stat` of the client JVM, the serving JVM (the Warren
        worker, or the baseline server) and the broker's `beam.smp`, divided by the calls of the run.
        Clock-tick resolution (10 ms) makes small figures coarse.
      - shipping: the harness starts a private OpenSSH server (`PrivateSshd`: Debian's `sshd` on 127.0.0.1,
        a free port, its own host and login keys, strict host-key checking against its known_hosts) and
        provisions it as a one-host farm with `SshFarm.start`, as `warren up` does: the worker runtime's
        jars and the benchmarks' classes plus one small `params.properties`, into a fresh work dir: first
        into the empty dir, then 3 times unchanged, then 3 times with `params.properties` rewritten before each.
        Files and bytes copied come from the farm's `ShipReport`; "ship ms" is its `took` (the host's
        `sha256sum` of every file, then SFTP of the changed ones), "provisioning ms" the whole
        `SshFarm.start` (local hashing, login, `java -version` probe, shipping, starting a worker that
        finds no broker and exits). Same machine, loopback: the time is CPU, hashing and remote shell
        start-up, not network.
        A verdict line per requirement says met or FAILED from the measured counts.
      """;

  private static final String NOTES = """
      - The raw amqp-client figures are the floor; Warren adds a codec (in JSON a 16 KB `byte[]` travels
        as ~22 KB of base64; in CBOR as 16 KB plus a few header bytes), a per-call envelope ahead of
        the arguments (interface, method, deadline, lease, chunk: about 60 bytes), `mandatory` publishes, a per-instance lock around the service call on the
        worker (a stateless call runs on the amqp-client consumer thread that delivered it, as raw's
        handler does; leased calls are handed to the instance's call thread) and a callback executor on
        the client. The CPU columns show where the time goes.
      - Spring's target baseline is Spring AMQP on both ends, as Warren's figures are Warren on both ends;
        the `/ raw server` rows show Spring's client alone. Its listener container hands each delivery from
        amqp-client's thread to the container's consumer thread, which converts the message, calls the
        method and publishes the reply.
      - With 2 cores, 4 processes compete (broker, client, the Warren worker JVM and the baseline server,
        which waits while the other stack runs): more instances add threads and contention, not cores;
        pipelined throughput is bounded by total CPU per call.
      - Prefetch 1 (Warren's default, the fairest) costs a broker round trip per call per instance; compare
        at the same prefetch.
      - The JIT warm-up comes first because a per-case warm-up of 1 s was not enough on 2 shared cores:
        after 50,000 calls the client's C2 compiler threads still used 22 of its 71 us per call over the
        next 20 s (4 us over the following 60 s; `ProfileMain`), which landed on the first cases.
      - The broker's Erlang schedulers spin while they wait for work, so at one call in flight (sync) its
        CPU per call (300-450 us) is mostly spinning, not work; pipelined figures show its real cost.
      - Shipping times are loopback figures: over a real network the unchanged case still moves 0 bytes
        (one `sha256sum` round trip per host), and a change costs its bytes at the link's speed. Every
        remote command starts the login user's shell, rc files included: a heavy `~/.bashrc` (pyenv,
        conda, module systems) adds its start-up to each. Unchanged code takes one command; a change two
        (hash, mkdir) and an SFTP session. Each connection's first command is preceded by one more, once:
        which login shell the host has (docs/farm.md).
      """;

  /**
   * The hand-written section starting at {@code heading} in the report already at {@code file} (up to the
   * next {@code ## } heading), or "": a re-run regenerates the figures but keeps what people wrote.
   */
  static String keptSection(java.nio.file.Path file, String heading) throws java.io.IOException {
    if (!java.nio.file.Files.exists(file)) {
      return "";
    }
    String text = java.nio.file.Files.readString(file);
    int start = text.indexOf("\n" + heading + "\n");
    if (start < 0) {
      return "";
    }
    int end = text.indexOf("\n## ", start + 1);
    return "\n" + text.substring(start + 1, end < 0 ? text.length() : end + 1).stripTrailing() + "\n";
  }
}
