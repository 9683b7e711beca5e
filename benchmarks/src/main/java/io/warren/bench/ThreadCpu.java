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
