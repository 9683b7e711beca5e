package io.warren.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The machine a run was measured on: CPUs, memory, CPU model and its vector extensions, OS. */
final class Machine {
  /**
   * The CPU flags the JDK's intrinsics depend on, in this order. Why they are in the report: the
   * same "CPU model" line ("AMD EPYC") has come with and without AVX-512, and JDK 17's base64
   * intrinsics (JSON's {@code byte[]}) need it: without it, JSON at 16 KB costs several times the
   * codec CPU (docs/benchmarks.md, items 33 and 51), so two reports compare only with the flags.
   */
  static final List<String> VECTOR_FLAGS = List.of("avx2", "avx512f", "avx512bw", "avx512vl", "avx512vbmi");

  private Machine() {}

  static Map<String, String> describe() {
    Map<String, String> machine = new LinkedHashMap<>();
    machine.put("CPUs (nproc)", Integer.toString(Runtime.getRuntime().availableProcessors()));
    machine.put("CPU model", field("/proc/cpuinfo", "model name"));
    String flags = field("/proc/cpuinfo", "flags");
    machine.put("CPU vector extensions", flags.equals("unknown") ? flags : vectorFlags(flags));
    String mem = field("/proc/meminfo", "MemTotal");
    machine.put("memory", mem.endsWith("kB") ? Long.parseLong(mem.replace("kB", "").trim()) / 1024 + " MiB" : mem);
    machine.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    return machine;
  }

  /** Which of {@link #VECTOR_FLAGS} a {@code /proc/cpuinfo} flags line has, or "none of ..." . */
  static String vectorFlags(String flags) {
    List<String> present = List.of(flags.split("\\s+"));
    List<String> found = VECTOR_FLAGS.stream().filter(present::contains).toList();
    return found.isEmpty() ? "none of " + String.join(", ", VECTOR_FLAGS) : String.join(", ", found);
  }

  private static String field(String file, String key) {
    try {
      for (String line : Files.readAllLines(Path.of(file))) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      return "unknown";
    }
    return "unknown";
  }
}
