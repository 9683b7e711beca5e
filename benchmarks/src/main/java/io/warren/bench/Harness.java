package io.warren.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs cases: a warm-up, then {@code runs} timed runs of {@code seconds} each; rate and CPU are
 * the median over the runs, latency percentiles are over every call of every run. Contenders
 * compared side by side take their timed runs in turn ({@link #compare}). CPU per call is measured
 * per run from {@code /proc} for the client (this JVM), the serving processes and the broker.
 */
final class Harness {
  /** A blocking call. */
  interface SyncCall {
    void call() throws Exception;
  }

  /** Starts one call and returns its future. */
  interface AsyncCall {
    CompletableFuture<?> start() throws Exception;
  }

  /** Untimed rotations between the contenders' warm-ups and their timed turns. */
  static final int SETTLING_ROTATIONS = 2;

  private final double warmupSeconds;
  private final double seconds;
  private final int runs;
  private final long brokerPid;
  private final long selfPid = ProcessHandle.current().pid();

  Harness(double warmupSeconds, double seconds, int runs, long brokerPid) {
    this.warmupSeconds = warmupSeconds;
    this.seconds = seconds;
    this.runs = runs;
    this.brokerPid = brokerPid;
  }

  /**
   * One measured run (a turn), before taking medians: calls per second, CPU microseconds per call
   * in the client, the serving processes and the broker, the run's own p50 latency in microseconds
   * (NaN for pipelined runs), and the CPU microseconds per call that the JIT's compiler threads of
   * the client and the serving processes took during the run (part of the client and worker figures:
   * what the warm-up left to compile).
   */
  record Run(double rate, double client, double worker, double broker, double p50, double compiler) {
    Run withP50(double p50Micros) {
      return new Run(rate, client, worker, broker, p50Micros, compiler);
    }
  }

  /**
   * One contender of a side-by-side comparison: what it is and how to make one call (sync or async).
   * An async start may make {@code callsPerStart} calls at once (a chunk); the window counts calls.
   */
  record Contender(String section, String name, String payload, int instances, int prefetch, int window,
      long[] serverPids, SyncCall sync, AsyncCall async, int callsPerStart) {
    static Contender sync(String section, String name, String payload, int instances, int prefetch, long[] serverPids,
        SyncCall call) {
      return new Contender(section, name, payload, instances, prefetch, 1, serverPids, call, null, 1);
    }

    static Contender async(String section, String name, String payload, int instances, int prefetch, int window,
        long[] serverPids, AsyncCall call) {
      return new Contender(section, name, payload, instances, prefetch, window, serverPids, null, call, 1);
    }

    /** Each start makes {@code chunk} calls; at most {@code window / chunk} starts are outstanding. */
    static Contender chunked(String section, String name, String payload, int instances, int prefetch, int window,
        int chunk, long[] serverPids, AsyncCall call) {
      if (window % chunk != 0) {
        throw new IllegalArgumentException("the window (" + window + ") must hold whole chunks of " + chunk);
      }
      return new Contender(section, name, payload, instances, prefetch, window, serverPids, null, call, chunk);
    }
  }

  /**
   * Measures contenders side by side: each has its warm-up run, then the timed runs go round-robin
   * (run 1 of each, then run 2 of each, ...), so that a slow stretch of the shared machine (its own
   * jobs, a GC, the broker's schedulers) falls on every contender instead of on whichever ran then.
   * Short, many runs spread a slow stretch more evenly (see BenchMain).
   */
  List<Result> compare(List<Contender> contenders) throws Exception {
    for (Contender c : contenders) {
      timed(c, warmupSeconds, new Stats.LongList());
    }
    // Untimed rotations, turns as the timed ones: one contender's warm-up can undo another's compiled
    // code (a class loaded for the first time or a receiver type not seen before makes the JIT drop
    // code that assumed otherwise), and the recompiling then fell on the first timed turns, whichever
    // contenders came first in the rotation (docs/benchmarks.md, item 53).
    for (int i = 0; i < SETTLING_ROTATIONS; i++) {
      for (Contender c : contenders) {
        timed(c, seconds, new Stats.LongList());
      }
    }
    Run[][] measured = new Run[contenders.size()][runs];
    Stats.LongList[] latencies = new Stats.LongList[contenders.size()];
    for (int j = 0; j < contenders.size(); j++) {
      latencies[j] = new Stats.LongList();
    }
    for (int i = 0; i < runs; i++) {
      for (int j = 0; j < contenders.size(); j++) {
        measured[j][i] = timed(contenders.get(j), seconds, latencies[j]);
      }
    }
    List<Result> results = new ArrayList<>();
    for (int j = 0; j < contenders.size(); j++) {
      Contender c = contenders.get(j);
      results.add(result(c.section(), c.name(), c.payload(), c.instances(), c.prefetch(), c.window(), measured[j],
          c.sync() != null ? latencies[j] : null));
    }
    return results;
  }

  /** One timed run; a sync contender adds each call's latency to {@code latencies}. */
  private Run timed(Contender c, double duration, Stats.LongList latencies) throws Exception {
    return c.sync() != null
        ? timedSync(c.sync(), duration, c.serverPids(), latencies)
        : timedAsync(c.async(), c.window() / c.callsPerStart(), c.callsPerStart(), duration, c.serverPids());
  }

  private Run timedSync(SyncCall call, double duration, long[] serverPids, Stats.LongList latencies) throws Exception {
    long calls = 0;
    int firstOfTurn = latencies.size();
    long[] before = cpu(serverPids);
    long start = System.nanoTime();
    long end = start + (long) (duration * 1e9);
    long now = start;
    while (now < end) {
      call.call();
      long after = System.nanoTime();
      latencies.add(after - now);
      calls++;
      now = after;
    }
    Run measured = run(calls, now - start, before, serverPids, Double.NaN);
    // The turn's own p50 after its CPU is read: sorting its latencies is the harness's work, not the call's.
    return measured.withP50(latencies.percentileFrom(firstOfTurn, 50) / 1e3);
  }

  private Run timedAsync(AsyncCall call, int window, int callsPerStart, double duration, long[] serverPids)
      throws Exception {
    Semaphore permits = new Semaphore(window);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long[] before = cpu(serverPids);
    long start = System.nanoTime();
    long end = start + (long) (duration * 1e9);
    long issued = 0;
    while (System.nanoTime() < end && failure.get() == null) {
      permits.acquire();
      call.start().whenComplete((value, error) -> {
        if (error != null) {
          failure.compareAndSet(null, error);
        }
        permits.release();
      });
      issued++;
    }
    permits.acquire(window); // the calls still in flight count: wait for them
    long elapsed = System.nanoTime() - start;
    permits.release(window);
    if (failure.get() != null) {
      throw new IllegalStateException("a call failed: " + failure.get(), failure.get());
    }
    return run(issued * callsPerStart, elapsed, before, serverPids, Double.NaN);
  }

  /** Issues exactly {@code count} pipelined calls (for the memory benchmark). */
  static void pipelined(AsyncCall call, int window, long count) throws Exception {
    Semaphore permits = new Semaphore(window);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (long i = 0; i < count && failure.get() == null; i++) {
      permits.acquire();
      call.start().whenComplete((value, error) -> {
        if (error != null) {
          failure.compareAndSet(null, error);
        }
        permits.release();
      });
    }
    permits.acquire(window);
    permits.release(window);
    if (failure.get() != null) {
      throw new IllegalStateException("a call failed: " + failure.get(), failure.get());
    }
  }

  /**
   * CPU so far at the start of a run: client, serving processes, broker, compiler threads. The
   * compiler threads are read before the processes here and after them in {@link #cpuAfter}, so that
   * reading each thread's {@code /proc} entry falls outside the run's client CPU.
   */
  private long[] cpu(long[] serverPids) {
    long compiler = ThreadCpu.compilerNanos(withSelf(serverPids));
    long[] now = processCpu(serverPids);
    now[3] = compiler;
    return now;
  }

  /** As {@link #cpu}, at the end of a run. */
  private long[] cpuAfter(long[] serverPids) {
    long[] now = processCpu(serverPids);
    now[3] = ThreadCpu.compilerNanos(withSelf(serverPids));
    return now;
  }

  /** Client, serving processes, broker; the fourth slot is left for the compiler threads. */
  private long[] processCpu(long[] serverPids) {
    return new long[] {Cpu.nanos(selfPid), Cpu.nanos(serverPids), brokerPid > 0 ? Cpu.nanos(brokerPid) : 0, 0};
  }

  private long[] withSelf(long[] serverPids) {
    long[] pids = java.util.Arrays.copyOf(serverPids, serverPids.length + 1);
    pids[serverPids.length] = selfPid;
    return pids;
  }

  private Run run(long calls, long elapsedNanos, long[] before, long[] serverPids, double p50Micros) {
    long[] after = cpuAfter(serverPids);
    double perCall = 1e-3 / Math.max(1, calls); // ns -> us per call
    return new Run(calls / (elapsedNanos / 1e9),
        (after[0] - before[0]) * perCall,
        serverPids.length == 0 ? Double.NaN : (after[1] - before[1]) * perCall,
        brokerPid > 0 ? (after[2] - before[2]) * perCall : Double.NaN,
        p50Micros,
        (after[3] - before[3]) * perCall);
  }

  /**
   * Rate and CPU: medians over {@code runs}. Latency: percentiles of every call of every run (the
   * middle call of all, not a median of per-run medians); NaN without {@code latencies}. The runs
   * stay in the result, in turn order, for the targets' turn-by-turn ratios ({@link Check#withTurns}).
   */
  static Result result(String section, String name, String payload, int instances, int prefetch, int window, Run[] runs,
      Stats.LongList latencies) {
    double p50 = latencies == null ? Double.NaN : latencies.percentile(50) / 1e3;
    double p99 = latencies == null ? Double.NaN : latencies.percentile(99) / 1e3;
    return new Result(section, name, payload, instances, prefetch, window,
        median(runs, Run::rate), p50, p99,
        median(runs, Run::client), median(runs, Run::worker), median(runs, Run::broker), List.of(runs));
  }

  private static double median(Run[] runs, java.util.function.ToDoubleFunction<Run> field) {
    double[] values = new double[runs.length];
    for (int i = 0; i < runs.length; i++) {
      values[i] = field.applyAsDouble(runs[i]);
    }
    return Stats.median(values);
  }
}
