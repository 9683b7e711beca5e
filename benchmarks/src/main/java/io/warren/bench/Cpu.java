package io.warren.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Process CPU time (user + system) from {@code /proc/<pid>/stat}: the same measure for the client,
 * worker JVMs and the broker's Erlang VM, no JMX needed. Resolution is one clock tick (10 ms).
 */
final class Cpu {
  /** {@code getconf CLK_TCK} on Linux: 100 ticks per second. */
  static final long NANOS_PER_TICK = 10_000_000L;

  private Cpu() {}

  /** CPU nanoseconds used so far by {@code pid}, or 0 if the process is gone or unreadable. */
  static long nanos(long pid) {
    try {
      return parseTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** Sum of {@link #nanos(long)} over {@code pids}. */
  static long nanos(long[] pids) {
    long sum = 0;
    for (long pid : pids) {
      sum += nanos(pid);
    }
    return sum;
  }

  /** utime + stime from one {@code /proc/<pid>/stat} line (fields 14 and 15, after the command name). */
  static long parseTicks(String stat) {
    // The command name may hold spaces and parentheses: split after the last ')'.
    String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
    return Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
  }

  /**
   * The pid of the Erlang VM ({@code beam.smp}) among this JVM's descendants: the broker node the
   * harness started. Its command line does not always carry the node name, so look by ancestry. -1 if none.
   */
  static long findBeam() {
    return ProcessHandle.current().descendants()
        .filter(p -> p.info().command().map(c -> c.endsWith("beam.smp") || c.endsWith("/beam")).orElse(false)
            || cmdline(p.pid()).contains("beam.smp"))
        .mapToLong(ProcessHandle::pid)
        .findFirst()
        .orElse(-1);
  }

  private static String cmdline(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"))).replace('\0', ' ');
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
