package io.warren.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time per thread of a process, from {@code /proc/<pid>/task/<tid>/stat}, summed by thread name
 * with digits removed (so "pool-1-thread-3" and "pool-1-thread-4" add up): which threads of a JVM
 * burn the CPU of a case, without attaching a profiler.
 */
final class ThreadCpu {
  /** How a HotSpot compiler thread's name ends in {@code /proc/<pid>/task/<tid>/comm}. */
  static final String COMPILER_THREADS = " CompilerThre";

  private ThreadCpu() {}

  /** Clock ticks used so far by each thread-name group of {@code pid}. */
  static Map<String, Long> ticksByThreadGroup(long pid) {
    Map<String, Long> ticks = new TreeMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      tasks.forEach(task -> {
        try {
          String name = Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "#");
          ticks.merge(name, Cpu.parseTicks(Files.readString(task.resolve("stat"))), Long::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended between the listing and the read: its ticks are gone with it
        }
      });
    } catch (IOException e) {
      return ticks;
    }
    return ticks;
  }

  /**
   * CPU nanoseconds used so far by the JIT's compiler threads ({@code C1 CompilerThre},
   * {@code C2 CompilerThre}: Linux keeps 15 characters of a thread's name) of each process.
   */
  static long compilerNanos(long... pids) {
    long ticks = 0;
    for (long pid : pids) {
      ticks += ticksByThreadGroup(pid).entrySet().stream().filter(e -> e.getKey().endsWith(COMPILER_THREADS))
          .mapToLong(Map.Entry::getValue).sum();
    }
    return ticks * Cpu.NANOS_PER_TICK;
  }

  /**
   * Reads {@code pid}'s CPU the ways the harnesses do, once, before anything warms up: the classes
   * that reading loads the first time (file channels, regular expressions) made HotSpot drop the
   * amqp-client code it had compiled, which then recompiled in the measured seconds
   * (docs/benchmarks.md, item 54).
   */
  static void readBeforeWarmUp(long pid) {
    Cpu.nanos(pid);
    compilerNanos(pid);
  }

  /** after - before, per group, dropping groups that used nothing. */
  static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> delta = new TreeMap<>();
    after.forEach((name, ticks) -> {
      long used = ticks - before.getOrDefault(name, 0L);
      if (used > 0) {
        delta.put(name, used);
      }
    });
    return delta;
  }
}
