package io.warren.grid.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.BadRequestException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CodecTest {
  record Point(int x, int y) {}

  interface Shapes {
    double area(List<Point> polygon, Map<String, Double> scale);

    Object anything(Object value);

    byte[] echo(byte[] payload);

    int twice(int n, Point point);

    void ping();
  }

  /** A stateful service object: private fields and no accessors. */
  static final class Sampler {
    private double temperature = 1.0;
    private long seed = 42;
    private transient int calls;

    double temperature() {
      return temperature;
    }
  }

  private final Codec codec = Codec.json();
  private final MethodContract area = ServiceContract.of(Shapes.class).method("area(java.util.List,java.util.Map)").orElseThrow();
  private final MethodContract anything = ServiceContract.of(Shapes.class).method("anything(java.lang.Object)").orElseThrow();
  private final MethodContract echo = ServiceContract.of(Shapes.class).method("echo([B)").orElseThrow();
  private final MethodContract twice = ServiceContract.of(Shapes.class).method("twice(int,io.warren.grid.spi.CodecTest$Point)").orElseThrow();
  private final MethodContract ping = ServiceContract.of(Shapes.class).method("ping()").orElseThrow();

  @Test
  void argumentsRoundTripAsTheirDeclaredTypes() {
    Object[] args = {List.of(new Point(1, 2), new Point(3, 4)), Map.of("k", 2.5)};
    Object[] back = codec.decodeArguments(area, codec.encodeArguments(area, args));
    assertEquals(args[0], back[0]);
    assertEquals(args[1], back[1]);
  }

  @Test
  void wrongArgumentCountIsABadRequest() {
    BadRequestException e = assertThrows(BadRequestException.class,
        () -> codec.decodeArguments(area, "[[]]".getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("Shapes.area: expected 2 arguments, got 1"), e.getMessage());
  }

  @Test
  void wrongArgumentTypeNamesTheArgument() {
    BadRequestException e = assertThrows(BadRequestException.class,
        () -> codec.decodeArguments(area, "[\"text\", {}]".getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().startsWith("Shapes.area: argument 0 is not a java.util.List<"), e.getMessage());
  }

  @Test
  void garbageIsABadRequest() {
    assertThrows(BadRequestException.class, () -> codec.decodeArguments(area, new byte[] {0, 1, 2, (byte) 0xff}));
    assertThrows(BadRequestException.class, () -> codec.decodeArguments(area, "[[], {}".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void classNamesInThePayloadBuildNothingButPlainData() {
    // Default typing would build this class; Warren reads Object as maps, lists and scalars only.
    String attack = "[[\"java.net.URL\", \"http://127.0.0.1/\"]]";
    Object value = codec.decodeArguments(anything, attack.getBytes(StandardCharsets.UTF_8))[0];
    assertInstanceOf(List.class, value);
    assertEquals(List.of("java.net.URL", "http://127.0.0.1/"), value);
  }

  @Test
  void largeByteArraysRoundTripThroughBase64() {
    byte[] payload = new byte[16 * 1024 + 1];
    new java.util.Random(42).nextBytes(payload);
    byte[] encoded = codec.encodeArguments(echo, new Object[] {payload});
    assertArrayEquals(payload, (byte[]) codec.decodeArguments(echo, encoded)[0]);
    assertArrayEquals(new byte[0], (byte[]) codec.decodeArguments(echo, codec.encodeArguments(echo, new Object[] {new byte[0]}))[0]);
    assertEquals(null, codec.decodeArguments(echo, "[null]".getBytes(StandardCharsets.UTF_8))[0]);
  }

  @Test
  void scalarAndRecordArgumentsAndNoArgumentsDecode() {
    Object[] back = codec.decodeArguments(twice, codec.encodeArguments(twice, new Object[] {7, new Point(1, 2)}));
    assertEquals(7, back[0]);
    assertEquals(new Point(1, 2), back[1]);
    assertEquals(0, codec.decodeArguments(ping, codec.encodeArguments(ping, new Object[0])).length);
    assertEquals(0, codec.decodeArguments(ping, " [ ] ".getBytes(StandardCharsets.UTF_8)).length);
  }

  @Test
  void tooManyArgumentsAreCountedNotBound() {
    BadRequestException e = assertThrows(BadRequestException.class,
        () -> codec.decodeArguments(area, "[[], {}, {\"x\": 1}]".getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("Shapes.area: expected 2 arguments, got 3"), e.getMessage());
    BadRequestException none = assertThrows(BadRequestException.class,
        () -> codec.decodeArguments(ping, "[1]".getBytes(StandardCharsets.UTF_8)));
    assertTrue(none.getMessage().contains("Shapes.ping: expected 0 arguments, got 1"), none.getMessage());
  }

  @Test
  void theArgumentCountIsReportedBeforeAWrongType() {
    // The one-pass read fails at argument 0; the message still names the count, as a version skew would.
    BadRequestException e = assertThrows(BadRequestException.class,
        () -> codec.decodeArguments(area, "[\"text\"]".getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("Shapes.area: expected 2 arguments, got 1"), e.getMessage());
  }

  @Test
  void aLaterArgumentOfTheWrongTypeIsNamed() {
    BadRequestException e = assertThrows(BadRequestException.class,
        () -> codec.decodeArguments(twice, "[1, [1, 2]]".getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().startsWith("Shapes.twice: argument 1 is not a io.warren.grid.spi.CodecTest$Point"),
        e.getMessage());
  }

  @Test
  void notAnArrayOrTrailingDataIsABadRequest() {
    BadRequestException object = assertThrows(BadRequestException.class,
        () -> codec.decodeArguments(area, "{\"a\": 1}".getBytes(StandardCharsets.UTF_8)));
    assertTrue(object.getMessage().contains("arguments must be a JSON array"), object.getMessage());
    BadRequestException empty = assertThrows(BadRequestException.class, () -> codec.decodeArguments(area, new byte[0]));
    assertTrue(empty.getMessage().startsWith("Shapes.area: "), empty.getMessage());
    BadRequestException trailing = assertThrows(BadRequestException.class,
        () -> codec.decodeArguments(area, "[[], {}] []".getBytes(StandardCharsets.UTF_8)));
    assertTrue(trailing.getMessage().contains("not valid JSON"), trailing.getMessage());
    BadRequestException nullPrimitive = assertThrows(BadRequestException.class,
        () -> codec.decodeArguments(twice, "[null, {\"x\": 1, \"y\": 2}]".getBytes(StandardCharsets.UTF_8)));
    assertTrue(nullPrimitive.getMessage().startsWith("Shapes.twice: argument 0 is not a int"), nullPrimitive.getMessage());
  }

  @Test
  void typeHintsInsideDeclaredTypesBuildNothingElse() {
    // A class name where a declared record or Object is read: ignored or read as plain data, never loaded.
    Object[] back = codec.decodeArguments(twice,
        "[1, {\"@class\": \"java.net.URL\", \"x\": 3, \"y\": 4}]".getBytes(StandardCharsets.UTF_8));
    assertEquals(new Point(3, 4), back[1]);
    Object value = codec.decodeArguments(anything,
        "[{\"@class\": \"java.net.URL\", \"spec\": \"http://127.0.0.1/\"}]".getBytes(StandardCharsets.UTF_8))[0];
    assertEquals(Map.of("@class", "java.net.URL", "spec", "http://127.0.0.1/"), value);
  }

  @Test
  void stateCopiesPrivateFieldsButNotTransientOnes() {
    Sampler original = new Sampler();
    original.temperature = 1.5;
    original.calls = 7;
    Sampler copy = codec.decodeState(codec.encodeState(original), Sampler.class);
    assertEquals(1.5, copy.temperature());
    assertEquals(42, copy.seed);
    assertEquals(0, copy.calls);
  }

  @Test
  void resultsRoundTrip() {
    byte[] encoded = codec.encodeResult(area, 12.5);
    assertEquals(12.5, codec.decodeResult(area, encoded));
    assertArrayEquals("12.5".getBytes(StandardCharsets.UTF_8), encoded);
  }
}
