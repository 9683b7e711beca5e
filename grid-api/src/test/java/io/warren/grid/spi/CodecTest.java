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
