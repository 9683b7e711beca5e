package io.warren.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The machine a run was measured on: CPUs, memory, CPU model, OS. */
final class Machine {
  private Machine() {}

  static Map<String, String> describe() {
    Map<String, String> machine = new LinkedHashMap<>();
    machine.put("CPUs (nproc)", Integer.toString(Runtime.getRuntime().availableProcessors()));
    machine.put("CPU model", field("/proc/cpuinfo", "model name"));
    String mem = field("/proc/meminfo", "MemTotal");
    machine.put("memory", mem.endsWith("kB") ? Long.parseLong(mem.replace("kB", "").trim()) / 1024 + " MiB" : mem);
    machine.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    return machine;
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
