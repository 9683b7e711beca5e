package io.warren.grid.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.BadRequestException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON codec codes {@code byte[]} with the JDK's base64 ({@link JdkBase64Module}): the bytes on
 * the wire and what is accepted must stay exactly those of Jackson's own coder, so peers with and
 * without the module read each other.
 */
class JdkBase64ModuleTest {
  record Blob(String name, byte[] data, List<byte[]> parts) {}

  interface Blobs {
    byte[] echo(byte[] payload);

    Blob wrap(Blob blob);
  }

  /** Jackson with its own base64 coder. */
  private final ObjectMapper plain = JsonMapper.builder().build();
  private final Codec codec = Codec.json();
  private final MethodContract echo = ServiceContract.of(Blobs.class).method("echo([B)").orElseThrow();
  private final MethodContract wrap = ServiceContract.of(Blobs.class)
      .method("wrap(io.warren.grid.spi.JdkBase64ModuleTest$Blob)").orElseThrow();

  @Test
  void writesTheSameBytesAsJacksonForEveryPaddingCaseAndLargePayloads() {
    Random random = new Random(7);
    List<byte[]> payloads = new ArrayList<>();
    for (int length = 0; length <= 40; length++) {
      payloads.add(Base64Reads.randomBytes(random, length));
    }
    payloads.add(Base64Reads.randomBytes(random, 16 * 1024 + 1));
    for (byte[] payload : payloads) {
      byte[] ours = codec.encodeArguments(echo, new Object[] {payload});
      byte[] jacksons = plain.writeValueAsBytes(new Object[] {payload});
      assertArrayEquals(jacksons, ours, "arguments of " + payload.length + " bytes");
      assertArrayEquals(plain.writeValueAsBytes(payload), codec.encodeResult(echo, payload), "result of " + payload.length + " bytes");
      assertArrayEquals(payload, (byte[]) codec.decodeArguments(echo, jacksons)[0]);
      assertArrayEquals(payload, plain.readValue(ours, byte[][].class)[0]);
    }
  }

  @Test
  void valuesOfAnySizeInAnyOrderWriteJacksonsBytesThroughTheThreadsScratchArray() {
    // The scratch array is kept between values: a short value after a long one must write only its
    // own characters, and one longer than the thread keeps gets an array of its own.
    Random random = new Random(11);
    int[] lengths = {16 * 1024, 1, 0, 300_000, 2, 16 * 1024 + 2, 5, 196_608, 196_609, 3};
    for (int length : lengths) {
      byte[] payload = Base64Reads.randomBytes(random, length);
      assertArrayEquals(plain.writeValueAsBytes(new Object[] {payload}), codec.encodeArguments(echo, new Object[] {payload}),
          "arguments of " + length + " bytes");
      assertTrue(JdkBase64Module.scratchLength() <= JdkBase64Module.KEPT_SCRATCH_CHARS,
          "the thread keeps at most 256 K characters, kept " + JdkBase64Module.scratchLength());
    }
    assertEquals(JdkBase64Module.KEPT_SCRATCH_CHARS, JdkBase64Module.scratchLength(), "196,608 bytes are 262,144 characters: kept");
  }

  @Test
  void bytesInsideRecordsAndListsUseTheSameCoding() {
    Blob blob = new Blob("b", new byte[] {1, 2, 3, 4, 5}, List.of(new byte[] {-1}, new byte[0]));
    byte[] ours = codec.encodeArguments(wrap, new Object[] {blob});
    assertArrayEquals(plain.writeValueAsBytes(new Object[] {blob}), ours);
    Blob back = (Blob) codec.decodeArguments(wrap, ours)[0];
    assertArrayEquals(blob.data(), back.data());
    assertEquals(2, back.parts().size());
    assertArrayEquals(new byte[] {-1}, back.parts().get(0));
    assertArrayEquals(new byte[0], back.parts().get(1));
  }

  @Test
  void aTextGeneratorFallsBackToJacksonsCoderWithTheSameText() {
    Blob blob = new Blob("b", new byte[] {9, 8, 7}, List.of());
    assertEquals(plain.writeValueAsString(blob), codec.mapper().writeValueAsString(blob));
  }

  @Test
  void oddInputInsideAValueIsAcceptedOrRefusedExactlyAsJacksonDoes() {
    // A byte[] argument or result is read by InPlaceBase64, which leaves to this module only what it
    // does not take; a byte[] inside another value is read by the module.
    for (String value : Base64Reads.ODD_VALUES) {
      byte[] body = ("[{\"name\": \"b\", \"data\": " + value + ", \"parts\": []}]").getBytes(StandardCharsets.UTF_8);
      Base64Reads.assertReadsAsJackson(value, "a record's field", () -> ((Blob) codec.decodeArguments(wrap, body)[0]).data());
    }
  }

  @Test
  void aRefusedStringNamesTheArgument() {
    BadRequestException e = assertThrows(BadRequestException.class,
        () -> codec.decodeArguments(echo, "[\"!!!!\"]".getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().startsWith("Blobs.echo: argument 0 is not a byte[]: "), e.getMessage());
  }
}
