package io.warren.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {
  @Test
  void thisJvmsCompilerThreadsAreFoundByTheirNameInProc() {
    Map<String, Long> groups = ThreadCpu.ticksByThreadGroup(ProcessHandle.current().pid());
    // The compilation table would read 0 for every row if HotSpot's thread names stopped matching.
    assertTrue(groups.keySet().stream().anyMatch(name -> name.endsWith(ThreadCpu.COMPILER_THREADS)), groups.toString());
    assertTrue(ThreadCpu.compilerNanos(ProcessHandle.current().pid()) >= 0);
  }
}
