package io.warren.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MachineTest {
  @Test
  void vectorFlagsKeepsTheIntrinsicsFlagsInTheirOwnOrder() {
    String flags = "fpu sse4_2 avx512vl avx avx2 avx512_bf16 avx512f avx512bw avx512vbmi2";
    assertEquals("avx2, avx512f, avx512bw, avx512vl", Machine.vectorFlags(flags));
  }

  @Test
  void vectorFlagsSaysWhichWereLookedForWhenNoneIsThere() {
    assertEquals("none of avx2, avx512f, avx512bw, avx512vl, avx512vbmi", Machine.vectorFlags("fpu sse4_2 avx"));
  }
}
