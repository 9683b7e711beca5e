package io.warren.grid.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.BadRequestException;
import io.warren.grid.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CBOR codec keeps the JSON codec's rules: declared types only, typed errors that name the problem. */
class CborCodecTest {
  private final Codec codec = Codec.cbor();
  private final MethodContract area =
      ServiceContract.of(CodecTest.Shapes.class).method("area(java.util.List,java.util.Map)").orElseThrow();
  private final MethodContract anything =
      ServiceContract.of(CodecTest.Shapes.class).method("anything(java.lang.Object)").orElseThrow();
  private final MethodContract echo = ServiceContract.of(CodecTest.Shapes.class).method("echo([B)").orElseThrow();
  private final MethodContract twice =
      ServiceContract.of(CodecTest.Shapes.class).method("twice(int,io.warren.grid.spi.CodecTest$Point)").orElseThrow();

  @Test
  void argumentsAndResultsRoundTripAsTheirDeclaredTypes() {
    Object[] args = {List.of(new CodecTest.Point(1, 2), new CodecTest.Point(3, 4)), Map.of("k", 2.5)};
    Object[] back = codec.decodeArguments(area, codec.encodeArguments(area, args));
    assertEquals(args[0], back[0]);
    assertEquals(args[1], back[1]);
    Object[] scalars = codec.decodeArguments(twice, codec.encodeArguments(twice, new Object[] {7, new CodecTest.Point(1, 2)}));
    assertEquals(List.of(7, new CodecTest.Point(1, 2)), List.of(scalars));
    assertEquals(12.5, codec.decodeResult(area, codec.encodeResult(area, 12.5)));
  }

  @Test
  void byteArraysTravelAsRawBytesNotBase64() {
    byte[] payload = new byte[16 * 1024 + 1];
    new java.util.Random(42).nextBytes(payload);
    byte[] encoded = codec.encodeArguments(echo, new Object[] {payload});
    assertTrue(encoded.length <= payload.length + 8, "array header + byte-string header + bytes: " + encoded.length);
    assertArrayEquals(payload, (byte[]) codec.decodeArguments(echo, encoded)[0]);
    byte[] result = codec.encodeResult(echo, payload);
    assertTrue(result.length <= payload.length + 8, "byte-string header + bytes: " + result.length);
    assertArrayEquals(payload, (byte[]) codec.decodeResult(echo, result));
  }

  @Test
  void badInputIsATypedErrorThatNamesTheProblem() {
    BadRequestException count = assertThrows(BadRequestException.class, () -> codec.decodeArguments(area, WireBytes.of(WireFormat.CBOR, "[[]]")));
    assertTrue(count.getMessage().contains("Shapes.area: expected 2 arguments, got 1"), count.getMessage());
    BadRequestException type = assertThrows(BadRequestException.class, () -> codec.decodeArguments(twice, WireBytes.of(WireFormat.CBOR, "[1, [1, 2]]")));
    assertTrue(type.getMessage().startsWith("Shapes.twice: argument 1 is not a io.warren.grid.spi.CodecTest$Point"),
        type.getMessage());
    BadRequestException object = assertThrows(BadRequestException.class, () -> codec.decodeArguments(area, WireBytes.of(WireFormat.CBOR, "{\"a\": 1}")));
    assertTrue(object.getMessage().contains("arguments must be a CBOR array"), object.getMessage());
    BadRequestException garbage = assertThrows(BadRequestException.class,
        () -> codec.decodeArguments(area, new byte[] {(byte) 0x82, (byte) 0x5f, 0, 1}));
    assertTrue(garbage.getMessage().contains("not valid CBOR"), garbage.getMessage());
    byte[] trailing = java.util.Arrays.copyOf(WireBytes.of(WireFormat.CBOR, "[[], {}]"), WireBytes.of(WireFormat.CBOR, "[[], {}]").length + 1);
    assertThrows(BadRequestException.class, () -> codec.decodeArguments(area, trailing));
    // JSON text labelled as CBOR: '[' is a CBOR byte string of 27 bytes that is not there.
    assertThrows(BadRequestException.class,
        () -> codec.decodeArguments(area, "[[], {}]".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void classNamesAndTypeHintsBuildNothingButPlainData() {
    Object list = codec.decodeArguments(anything, WireBytes.of(WireFormat.CBOR, "[[\"java.net.URL\", \"http://127.0.0.1/\"]]"))[0];
    assertInstanceOf(List.class, list);
    Object map = codec.decodeArguments(anything, WireBytes.of(WireFormat.CBOR, "[{\"@class\": \"java.net.URL\", \"spec\": \"http://127.0.0.1/\"}]"))[0];
    assertEquals(Map.of("@class", "java.net.URL", "spec", "http://127.0.0.1/"), map);
    Object[] point = codec.decodeArguments(twice, WireBytes.of(WireFormat.CBOR, "[1, {\"@class\": \"java.net.URL\", \"x\": 3, \"y\": 4}]"));
    assertEquals(new CodecTest.Point(3, 4), point[1]);
  }

  @Test
  void theContentTypeChoosesTheCodec() {
    assertSame(Codec.json(), Codec.forContentType(null), "Warren's first messages carried no content type");
    assertSame(Codec.json(), Codec.forContentType(""));
    assertSame(Codec.json(), Codec.forContentType("Application/JSON; charset=utf-8"));
    assertSame(Codec.cbor(), Codec.forContentType("application/cbor"));
    assertSame(WireFormat.CBOR, Codec.of(WireFormat.CBOR).format());
    BadRequestException unknown = assertThrows(BadRequestException.class,
        () -> Codec.forContentType("application/x-java-serialized-object"));
    assertTrue(unknown.getMessage().contains("application/x-java-serialized-object"), unknown.getMessage());
    assertTrue(unknown.getMessage().contains("application/cbor"), "names what is read: " + unknown.getMessage());
  }
}
