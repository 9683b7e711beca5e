package io.warren.bench;

import java.util.List;

/**
 * The JVM options of every serving JVM the benchmark starts: the raw amqp-client echo server and
 * Warren's worker JVMs get the same list, so neither side gets a different JIT, GC or heap.
 * {@code LocalWorkers}' own default ({@code -XX:TieredStopAtLevel=1}, C1 only, for quick test
 * start-up) would give the workers a weaker JIT than the raw server's C2.
 */
final class ServerJvm {
  /** Empty: the JVM's defaults (tiered C1+C2, G1, default heap) on both sides. */
  static final List<String> OPTIONS = List.of();

  private ServerJvm() {}
}
