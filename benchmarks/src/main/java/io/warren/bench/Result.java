package io.warren.bench;

import java.util.List;

/**
 * One measured case: the median of its runs. Latencies are NaN for pipelined cases; CPU figures are
 * microseconds of CPU per call in the client process, the serving processes and the broker.
 *
 * @param section which benchmark ("sync", "pipelined", ...)
 * @param name the contender, e.g. "warren stateless"
 * @param payload payload label, e.g. "64 B"
 * @param instances serving instances or consumers
 * @param prefetch consumer prefetch, 0 when not applicable
 * @param window calls in flight, 1 for sequential
 * @param turns the timed runs the medians are taken over, in the order they ran (empty when not kept)
 */
record Result(
    String section,
    String name,
    String payload,
    int instances,
    int prefetch,
    int window,
    double rate,
    double p50Micros,
    double p99Micros,
    double clientCpuMicros,
    double workerCpuMicros,
    double brokerCpuMicros,
    List<Harness.Run> turns) {

  Result {
    turns = List.copyOf(turns);
  }

  /** A result without its turns (rendering and tests). */
  Result(String section, String name, String payload, int instances, int prefetch, int window, double rate,
      double p50Micros, double p99Micros, double clientCpuMicros, double workerCpuMicros, double brokerCpuMicros) {
    this(section, name, payload, instances, prefetch, window, rate, p50Micros, p99Micros, clientCpuMicros,
        workerCpuMicros, brokerCpuMicros, List.of());
  }

  /**
   * CPU microseconds per call that the JIT's compiler threads (client and serving processes) took
   * during the timed turns, the mean over the turns; NaN without turns.
   */
  double compilerCpuMicros() {
    return turns.stream().mapToDouble(Harness.Run::compiler).average().orElse(Double.NaN);
  }

  /** CPU microseconds per call of the client and the serving processes (the client's alone without a server). */
  double processCpuMicros() {
    return clientCpuMicros + (Double.isNaN(workerCpuMicros) ? 0 : workerCpuMicros);
  }

  /** The row's name in the compilation table: section, payload, contender, instances and prefetch. */
  String caseName() {
    return section + " " + payload + ", " + name + ", " + instances + " inst" + (prefetch > 0 ? ", prefetch " + prefetch : "");
  }

  /** Whether this row is the case named, at this payload, instance count and prefetch. */
  boolean is(String name, String payload, int instances, int prefetch) {
    return this.name.equals(name) && this.payload.equals(payload) && this.instances == instances && this.prefetch == prefetch;
  }
}
