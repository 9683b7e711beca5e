package io.warren.grid.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EncodeBufferTest {
  interface Bytes {
    byte[] echo(byte[] payload);
  }

  private static final MethodContract ECHO = ServiceContract.of(Bytes.class).methods().get(0);

  @Test
  void aBufferGivenBackIsTheThreadsNextOneAndStartsEmpty() {
    EncodeBuffer first = EncodeBuffer.take();
    first.write(new byte[100], 0, 100);
    first.giveBack();
    EncodeBuffer second = EncodeBuffer.take();
    assertSame(first, second);
    assertEquals(0, second.size());
    second.giveBack();
  }

  @Test
  void aBufferInUseIsNotHandedOutTwice() {
    EncodeBuffer outer = EncodeBuffer.take();
    EncodeBuffer nested = EncodeBuffer.take();
    assertNotSame(outer, nested);
    nested.giveBack();
    outer.giveBack();
  }

  @Test
  void aBufferThatGrewPastTheLimitIsDropped() {
    EncodeBuffer big = EncodeBuffer.take();
    big.write(new byte[EncodeBuffer.KEPT_BYTES + 1], 0, EncodeBuffer.KEPT_BYTES + 1);
    assertTrue(big.capacity() > EncodeBuffer.KEPT_BYTES);
    big.giveBack();
    EncodeBuffer next = EncodeBuffer.take();
    assertNotSame(big, next);
    next.giveBack();
  }

  @Test
  void messagesEncodedOneAfterTheOtherDoNotShareBytes() {
    for (Codec codec : new Codec[] {Codec.json(), Codec.cbor()}) {
      byte[] a = payload(16 * 1024, 1);
      byte[] b = payload(300, 2);
      byte[] encodedA = codec.encodeArguments(ECHO, new Object[] {a});
      byte[] encodedB = codec.encodeArguments(ECHO, new Object[] {b});
      byte[] resultA = codec.encodeResult(ECHO, a);
      assertArrayEquals(a, (byte[]) codec.decodeArguments(ECHO, encodedA)[0], codec.format() + " arguments");
      assertArrayEquals(b, (byte[]) codec.decodeArguments(ECHO, encodedB)[0], codec.format() + " arguments");
      assertArrayEquals(a, (byte[]) codec.decodeResult(ECHO, resultA), codec.format() + " result");
    }
  }

  /**
   * Encoding a 16 KB message allocates little more than the message: with a fresh growing buffer per
   * message it was four times the message (65 KB for 16.4 KB of CBOR arguments).
   */
  @Test
  void encodingALargeMessageAllocatesLittleMoreThanTheMessage() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    byte[] payload = payload(16 * 1024, 3);
    Object[] args = {payload};
    Codec codec = Codec.cbor();
    int messages = 2_000;
    for (int i = 0; i < messages; i++) { // reader and writer caches, thread-local buffers
      codec.encodeArguments(ECHO, args);
      codec.encodeResult(ECHO, payload);
    }
    long before = threads.getThreadAllocatedBytes(thread);
    long size = 0;
    for (int i = 0; i < messages; i++) {
      size += codec.encodeArguments(ECHO, args).length;
      size += codec.encodeResult(ECHO, payload).length;
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertTrue(allocated < size * 3 / 2, "allocated " + allocated / (2 * messages) + " B per message of "
        + size / (2 * messages) + " B");
  }

  private static byte[] payload(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
