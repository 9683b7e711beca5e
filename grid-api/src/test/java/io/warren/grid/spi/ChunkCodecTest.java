package io.warren.grid.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.BadRequestException;
import io.warren.grid.ErrorCode;
import io.warren.grid.RemoteException;
import io.warren.grid.WireFormat;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Chunks, several calls of one method in one message, keep the single-call rules in both formats:
 * declared types only, order kept, each item's outcome its own, and typed errors that name the problem.
 */
class ChunkCodecTest {
  record Point(int x, int y) {}

  record Sample(String name, List<Integer> values) {}

  /** A declared interface parameter: the payload must never choose its class. */
  interface Shape {
    double area();
  }

  /** A declared abstract parameter: the same. */
  abstract static class Base {
    abstract String id();
  }

  /**
   * A result Jackson writes through its public getter (fields of any visibility are read too), which
   * fails for a broken instance: a value that cannot be encoded.
   */
  static final class Gauge {
    private String name;
    private boolean broken;

    Gauge() {}

    Gauge(String name, boolean broken) {
      this.name = name;
      this.broken = broken;
    }

    public String getName() {
      if (broken) {
        throw new IllegalStateException("gauge " + name + " is broken");
      }
      return name;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Gauge g && Objects.equals(name, g.name) && broken == g.broken;
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, broken);
    }
  }

  /** An object that holds itself: a cycle Jackson refuses to write. */
  static final class Loop {
    private final String label = "loop";
    private Loop self = this;
  }

  /** Two objects that hold each other: a longer cycle, found only by recursing too deep. */
  static final class Ring {
    private Ring next;

    static Ring ofTwo() {
      Ring a = new Ring();
      Ring b = new Ring();
      a.next = b;
      b.next = a;
      return a;
    }
  }

  interface Batch {
    String mix(int n, String label, byte[] data, Sample sample, List<Point> points);

    int pair(int n, Point point);

    void touch(int n);

    Sample sample(String name);

    Gauge gauge(int n);

    Object anything(Object value);

    void draw(Shape shape);

    void base(Base base);

    void keep(Serializable value);
  }

  private static final ServiceContract CONTRACT = ServiceContract.of(Batch.class);
  private final MethodContract mix = method(
      "mix(int,java.lang.String,[B,io.warren.grid.spi.ChunkCodecTest$Sample,java.util.List)");
  private final MethodContract pair = method("pair(int,io.warren.grid.spi.ChunkCodecTest$Point)");
  private final MethodContract touch = method("touch(int)");
  private final MethodContract sample = method("sample(java.lang.String)");
  private final MethodContract gauge = method("gauge(int)");
  private final MethodContract anything = method("anything(java.lang.Object)");
  private final MethodContract draw = method("draw(io.warren.grid.spi.ChunkCodecTest$Shape)");
  private final MethodContract base = method("base(io.warren.grid.spi.ChunkCodecTest$Base)");
  private final MethodContract keep = method("keep(java.io.Serializable)");

  private static MethodContract method(String signature) {
    return CONTRACT.method(signature).orElseThrow(() -> new AssertionError("no method " + signature));
  }

  /** A chunk's body as plain data (lists, maps, scalars), to check its shape. */
  private static Object plain(Codec codec, byte[] body) {
    return codec.mapper().readValue(body, Object.class);
  }

  private static BadRequestException refused(Codec codec, MethodContract method, byte[] body, int count) {
    return assertThrows(BadRequestException.class, () -> codec.decodeChunkArguments(method, body, count));
  }

  private static BadRequestException refusedResults(Codec codec, MethodContract method, byte[] body, int count) {
    return assertThrows(BadRequestException.class, () -> codec.decodeChunkResults(method, body, count));
  }

  private static void assertContains(String expected, String message) {
    assertTrue(message != null && message.contains(expected), "expected <" + expected + "> in: " + message);
  }

  // --- arguments -------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void chunkArgumentsRoundTripInOrderAsTheirDeclaredTypes(WireFormat format) {
    Codec codec = Codec.of(format);
    byte[] bytes = new byte[300];
    new java.util.Random(7).nextBytes(bytes);
    List<Object[]> calls = List.of(
        new Object[] {1, "first", bytes, new Sample("a", List.of(1, 2, 3)), List.of(new Point(1, 2), new Point(3, 4))},
        new Object[] {-2, null, new byte[0], null, List.of()},
        new Object[] {Integer.MAX_VALUE, "th\u00efrd \"quoted\"", new byte[] {0, (byte) 0xff}, new Sample(null, List.of()),
            List.of(new Point(-5, 6))});

    List<Object[]> back = codec.decodeChunkArguments(mix, codec.encodeChunkArguments(mix, calls), calls.size());

    assertEquals(calls.size(), back.size());
    for (int i = 0; i < calls.size(); i++) {
      Object[] sent = calls.get(i);
      Object[] got = back.get(i);
      assertEquals(5, got.length, "item " + i);
      assertEquals(sent[0], got[0], "item " + i + " int");
      assertEquals(sent[1], got[1], "item " + i + " String");
      assertInstanceOf(byte[].class, got[2], "item " + i + " byte[]");
      assertArrayEquals((byte[]) sent[2], (byte[]) got[2], "item " + i + " byte[]");
      assertEquals(sent[3], got[3], "item " + i + " record");
      assertEquals(sent[4], got[4], "item " + i + " List<Point>");
      if (got[4] != null && !((List<?>) got[4]).isEmpty()) {
        assertInstanceOf(Point.class, ((List<?>) got[4]).get(0), "the list's elements are read as their declared type");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void aChunkIsAnArrayOfTheSingleCallArgumentArrays(WireFormat format) {
    Codec codec = Codec.of(format);
    List<Object[]> calls = List.of(new Object[] {1, new Point(1, 2)}, new Object[] {2, new Point(3, 4)});
    byte[] chunk = codec.encodeChunkArguments(pair, calls);
    List<Object> expected = new ArrayList<>();
    for (Object[] call : calls) {
      expected.add(plain(codec, codec.encodeArguments(pair, call)));
    }
    assertEquals(expected, plain(codec, chunk));
    assertEquals(List.of(List.of(1, Map.of("x", 1, "y", 2)), List.of(2, Map.of("x", 3, "y", 4))), plain(codec, chunk));
    // An empty chunk is an empty array, and reads back as no calls.
    assertEquals(List.of(), plain(codec, codec.encodeChunkArguments(pair, List.of())));
    assertEquals(0, codec.decodeChunkArguments(pair, codec.encodeChunkArguments(pair, List.of()), 0).size());
  }

  @Test
  void aJsonChunkIsTheSingleCallArraysJoined() {
    Codec codec = Codec.json();
    Object[] first = {1, new Point(1, 2)};
    Object[] second = {2, new Point(3, 4)};
    String expected = "[" + new String(codec.encodeArguments(pair, first), StandardCharsets.UTF_8) + ","
        + new String(codec.encodeArguments(pair, second), StandardCharsets.UTF_8) + "]";
    assertEquals(expected, new String(codec.encodeChunkArguments(pair, List.of(first, second)), StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void encodingRefusesAWrongArgumentCountAndNamesAnItemThatCannotBeWritten(WireFormat format) {
    Codec codec = Codec.of(format);
    BadRequestException count = assertThrows(BadRequestException.class,
        () -> codec.encodeChunkArguments(pair, List.of(new Object[] {1, new Point(1, 2)}, new Object[] {2})));
    assertContains("Batch.pair: expected 2 arguments, got 1", count.getMessage());
    BadRequestException broken = assertThrows(BadRequestException.class, () -> codec.encodeChunkArguments(anything,
        List.of(new Object[] {"fine"}, new Object[] {new Gauge("g", true)})));
    assertContains("Batch.anything: cannot encode the arguments of chunk item 1", broken.getMessage());
    assertContains("gauge g is broken", broken.getMessage());
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void aChunkThatHoldsFewerOrMoreCallsThanAnnouncedIsRefused(WireFormat format) {
    Codec codec = Codec.of(format);
    String p = "{\"x\": 1, \"y\": 2}";
    BadRequestException fewer = refused(codec, pair, WireBytes.of(format, "[[1, " + p + "], [2, " + p + "]]"), 3);
    assertTrue(fewer.getMessage().startsWith("Batch.pair: "), fewer.getMessage());
    assertContains("the chunk announces 3 calls and holds 2", fewer.getMessage());

    BadRequestException more =
        refused(codec, pair, WireBytes.of(format, "[[1, " + p + "], [2, " + p + "], [3, " + p + "], [4, " + p + "]]"), 3);
    assertContains("the chunk announces 3 calls and holds 4", more.getMessage());

    BadRequestException none = refused(codec, pair, WireBytes.of(format, "[]"), 1);
    assertContains("the chunk announces 1 calls and holds 0", none.getMessage());
    BadRequestException unannounced = refused(codec, pair, WireBytes.of(format, "[[1, " + p + "]]"), 0);
    assertContains("the chunk announces 0 calls and holds 1", unannounced.getMessage());
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void anItemWithTheWrongNumberOfArgumentsIsNamed(WireFormat format) {
    Codec codec = Codec.of(format);
    String p = "{\"x\": 1, \"y\": 2}";
    BadRequestException fewer = refused(codec, pair, WireBytes.of(format, "[[1, " + p + "], [2], [3, " + p + "]]"), 3);
    assertContains("chunk item 1: ", fewer.getMessage());
    assertContains("Batch.pair: expected 2 arguments, got 1", fewer.getMessage());

    BadRequestException more = refused(codec, pair, WireBytes.of(format, "[[1, " + p + "], [2, " + p + "], [3, " + p + ", 4]]"), 3);
    assertContains("chunk item 2: ", more.getMessage());
    assertContains("Batch.pair: expected 2 arguments, got 3", more.getMessage());

    BadRequestException notAnArray = refused(codec, pair, WireBytes.of(format, "[[1, " + p + "], 5]"), 2);
    assertContains("chunk item 1: ", notAnArray.getMessage());
    assertContains("arguments must be a " + format + " array", notAnArray.getMessage());
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void anItemWithAnArgumentOfTheWrongTypeIsNamedWithItsIndex(WireFormat format) {
    Codec codec = Codec.of(format);
    String p = "{\"x\": 1, \"y\": 2}";
    BadRequestException first =
        refused(codec, pair, WireBytes.of(format, "[[1, " + p + "], [2, " + p + "], [\"three\", " + p + "]]"), 3);
    assertTrue(first.getMessage().startsWith("chunk item 2: Batch.pair: argument 0 is not a int"), first.getMessage());

    BadRequestException second = refused(codec, pair, WireBytes.of(format, "[[1, " + p + "], [2, [1, 2]]]"), 2);
    assertTrue(second.getMessage().startsWith(
        "chunk item 1: Batch.pair: argument 1 is not a io.warren.grid.spi.ChunkCodecTest$Point"), second.getMessage());

    BadRequestException nullPrimitive = refused(codec, pair, WireBytes.of(format, "[[null, " + p + "]]"), 1);
    assertTrue(nullPrimitive.getMessage().startsWith("chunk item 0: Batch.pair: argument 0 is not a int"),
        nullPrimitive.getMessage());

    // The first wrong item is named, even when a later one is wrong too.
    BadRequestException both = refused(codec, pair, WireBytes.of(format, "[[1, " + p + "], [2, \"no\"], [\"x\", " + p + "]]"), 3);
    assertTrue(both.getMessage().startsWith("chunk item 1: Batch.pair: argument 1 is not a "), both.getMessage());
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void aBodyThatIsNotAnArrayOfArgumentArraysIsRefused(WireFormat format) {
    Codec codec = Codec.of(format);
    BadRequestException object = refused(codec, pair, WireBytes.of(format, "{\"calls\": [[1, {\"x\": 1, \"y\": 2}]]}"), 1);
    assertContains("Batch.pair: a chunk must be a " + format + " array of argument arrays", object.getMessage());
    BadRequestException scalar = refused(codec, pair, WireBytes.of(format, "42"), 1);
    assertContains("a chunk must be a " + format + " array of argument arrays", scalar.getMessage());
    BadRequestException empty = refused(codec, pair, new byte[0], 1);
    assertTrue(empty.getMessage().startsWith("Batch.pair: "), empty.getMessage());
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void invalidBytesAreRefusedAsNotValid(WireFormat format) {
    Codec codec = Codec.of(format);
    byte[] garbage = format == WireFormat.JSON
        ? "[[1, {\"x\": 1, \"y\": 2}], [2, {\"x\"".getBytes(StandardCharsets.UTF_8)
        : new byte[] {(byte) 0x82, (byte) 0x5f, 0, 1};
    BadRequestException bad = refused(codec, pair, garbage, 2);
    assertContains("Batch.pair: the chunk is not valid " + format, bad.getMessage());

    byte[] good = WireBytes.of(format, "[[1, {\"x\": 1, \"y\": 2}]]");
    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    trailing[good.length] = format == WireFormat.JSON ? (byte) '[' : (byte) 0x01;
    BadRequestException after = refused(codec, pair, trailing, 1);
    assertContains("the chunk is not valid " + format, after.getMessage());
    // And the good prefix alone is fine: it is the trailing data that is refused.
    assertEquals(new Point(1, 2), codec.decodeChunkArguments(pair, good, 1).get(0)[1]);
  }

  // --- security --------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void classNamesInAChunkBuildNothingButPlainData(WireFormat format) {
    Codec codec = Codec.of(format);
    // Default typing would build a URL from either item; Warren reads Object as maps, lists and scalars only.
    List<Object[]> calls = codec.decodeChunkArguments(anything, WireBytes.of(format,
        "[[[\"java.net.URL\", \"http://127.0.0.1/\"]], [{\"@class\": \"java.net.URL\", \"spec\": \"http://127.0.0.1/\"}]]"), 2);
    assertInstanceOf(List.class, calls.get(0)[0]);
    assertEquals(List.of("java.net.URL", "http://127.0.0.1/"), calls.get(0)[0]);
    assertEquals(Map.of("@class", "java.net.URL", "spec", "http://127.0.0.1/"), calls.get(1)[0]);

    // A class name inside a declared record is ignored: the record is built, nothing else.
    List<Object[]> points = codec.decodeChunkArguments(pair,
        WireBytes.of(format, "[[1, {\"@class\": \"java.net.URL\", \"x\": 3, \"y\": 4}]]"), 1);
    assertEquals(new Point(3, 4), points.get(0)[1]);

    // Serializable, like Object, is read as plain data.
    List<Object[]> kept = codec.decodeChunkArguments(keep, WireBytes.of(format, "[[[\"java.net.URL\", \"http://127.0.0.1/\"]]]"), 1);
    assertEquals(List.of("java.net.URL", "http://127.0.0.1/"), kept.get(0)[0]);
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void anInterfaceOrAbstractParameterIsNeverBuiltFromAClassNameInTheChunk(WireFormat format) {
    Codec codec = Codec.of(format);
    String[] attacks = {
        "{\"@class\": \"java.net.URL\", \"spec\": \"http://127.0.0.1/\"}",
        "[\"java.net.URL\", \"http://127.0.0.1/\"]",
        "{\"java.net.URL\": \"http://127.0.0.1/\"}",
        "{\"@type\": \"java.net.URL\", \"spec\": \"http://127.0.0.1/\"}"
    };
    for (String attack : attacks) {
      BadRequestException shape = refused(codec, draw, WireBytes.of(format, "[[null], [" + attack + "]]"), 2);
      assertTrue(shape.getMessage().startsWith(
          "chunk item 1: Batch.draw: argument 0 is not a io.warren.grid.spi.ChunkCodecTest$Shape"), attack + ": " + shape.getMessage());
      BadRequestException abstractBase = refused(codec, base, WireBytes.of(format, "[[" + attack + "]]"), 1);
      assertTrue(abstractBase.getMessage().startsWith(
          "chunk item 0: Batch.base: argument 0 is not a io.warren.grid.spi.ChunkCodecTest$Base"), attack + ": " + abstractBase.getMessage());
    }
    // null is the one value such a parameter can take from the payload.
    assertNull(codec.decodeChunkArguments(draw, WireBytes.of(format, "[[null], [null]]"), 2).get(1)[0]);
  }

  // --- results ---------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void chunkResultsRoundTripValuesNullsAndErrorsInOrder(WireFormat format) {
    Codec codec = Codec.of(format);
    WireError gone = WireError.of(ErrorCode.NO_INSTANCE, "no instance left");
    WireError boom = WireError.thrown(new IllegalStateException("boom"));
    List<Codec.ItemResult> results = List.of(
        Codec.ItemResult.ok(new Sample("a", List.of(1, 2))),
        Codec.ItemResult.failed(gone),
        Codec.ItemResult.ok(null),
        Codec.ItemResult.failed(boom),
        Codec.ItemResult.ok(new Sample(null, List.of())));

    List<Codec.ItemResult> back = codec.decodeChunkResults(sample, codec.encodeChunkResults(sample, results), results.size());

    assertEquals(results.size(), back.size());
    assertEquals(new Sample("a", List.of(1, 2)), back.get(0).value());
    assertNull(back.get(0).error());
    assertNull(back.get(1).value());
    assertEquals(ErrorCode.NO_INSTANCE, back.get(1).error().code());
    assertEquals("no instance left", back.get(1).error().message());
    assertNull(back.get(1).error().remoteClass());
    assertEquals(List.of(), back.get(1).error().stack());
    assertNull(back.get(2).value());
    assertNull(back.get(2).error());
    assertEquals(ErrorCode.REMOTE, back.get(3).error().code());
    assertEquals("boom", back.get(3).error().message());
    assertEquals("java.lang.IllegalStateException", back.get(3).error().remoteClass());
    assertTrue(!back.get(3).error().stack().isEmpty(), "the stack travels");
    assertEquals(boom, back.get(3).error(), "code, message, class and every frame");
    RemoteException thrown = assertInstanceOf(RemoteException.class, back.get(3).error().toException());
    assertContains("boom", thrown.getMessage());
    assertEquals(new Sample(null, List.of()), back.get(4).value());
    assertEquals(results, back, "ItemResult is a record: the whole list comes back equal");
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void voidChunkResultsAreNullsBetweenErrors(WireFormat format) {
    Codec codec = Codec.of(format);
    List<Codec.ItemResult> results = List.of(
        Codec.ItemResult.ok(null),
        Codec.ItemResult.failed(WireError.of(ErrorCode.CANCELLED, "stop")),
        Codec.ItemResult.ok(null));
    byte[] body = codec.encodeChunkResults(touch, results);
    List<?> entries = assertInstanceOf(List.class, plain(codec, body));
    assertEquals(3, entries.size());
    Map<?, ?> first = assertInstanceOf(Map.class, entries.get(0));
    assertEquals(Set.of("ok"), first.keySet());
    assertNull(first.get("ok"));
    Map<?, ?> second = assertInstanceOf(Map.class, entries.get(1));
    assertEquals(Set.of("error"), second.keySet());
    Map<?, ?> error = assertInstanceOf(Map.class, second.get("error"));
    assertEquals("CANCELLED", error.get("code"));
    assertEquals("stop", error.get("message"));
    List<Codec.ItemResult> back = codec.decodeChunkResults(touch, body, 3);
    assertEquals(results, back);
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void aValueThatCannotBeEncodedFailsOnlyItsOwnItem(WireFormat format) {
    Codec codec = Codec.of(format);
    List<Codec.ItemResult> results = List.of(
        Codec.ItemResult.ok(new Gauge("first", false)),
        Codec.ItemResult.ok(new Gauge("bad", true)),
        Codec.ItemResult.failed(WireError.of(ErrorCode.CALL_TIMEOUT, "late")),
        Codec.ItemResult.ok(null),
        Codec.ItemResult.ok(new Gauge("worse", true)),
        Codec.ItemResult.ok(new Gauge("last", false)));

    List<Codec.ItemResult> back = codec.decodeChunkResults(gauge, codec.encodeChunkResults(gauge, results), results.size());

    assertEquals(6, back.size());
    assertEquals(Codec.ItemResult.ok(new Gauge("first", false)), back.get(0));
    assertNull(back.get(1).value());
    assertEquals(ErrorCode.BAD_REQUEST, back.get(1).error().code());
    assertContains("Batch.gauge: cannot encode the result", back.get(1).error().message());
    assertContains("gauge bad is broken", back.get(1).error().message());
    assertEquals(WireError.of(ErrorCode.CALL_TIMEOUT, "late"), back.get(2).error());
    assertEquals(Codec.ItemResult.ok(null), back.get(3));
    assertEquals(ErrorCode.BAD_REQUEST, back.get(4).error().code());
    assertContains("gauge worse is broken", back.get(4).error().message());
    assertEquals(Codec.ItemResult.ok(new Gauge("last", false)), back.get(5));
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void aSelfReferencingValueFailsOnlyItsOwnItem(WireFormat format) {
    Codec codec = Codec.of(format);
    List<Codec.ItemResult> results = List.of(
        Codec.ItemResult.ok("before"),
        Codec.ItemResult.ok(new Loop()),
        Codec.ItemResult.ok(List.of(1, 2)),
        Codec.ItemResult.ok(Ring.ofTwo()),
        Codec.ItemResult.ok(Map.of("k", 1)));

    List<Codec.ItemResult> back = codec.decodeChunkResults(anything, codec.encodeChunkResults(anything, results), 5);

    assertEquals(Codec.ItemResult.ok("before"), back.get(0));
    assertNull(back.get(1).value());
    assertEquals(ErrorCode.BAD_REQUEST, back.get(1).error().code());
    assertContains("Batch.anything: cannot encode the result", back.get(1).error().message());
    assertEquals(Codec.ItemResult.ok(List.of(1, 2)), back.get(2));
    assertNull(back.get(3).value());
    assertEquals(ErrorCode.BAD_REQUEST, back.get(3).error().code());
    assertContains("Batch.anything: cannot encode the result", back.get(3).error().message());
    assertEquals(Codec.ItemResult.ok(Map.of("k", 1)), back.get(4));
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void resultsOfTheWrongCountAreRefused(WireFormat format) {
    Codec codec = Codec.of(format);
    byte[] two = codec.encodeChunkResults(sample,
        List.of(Codec.ItemResult.ok(new Sample("a", List.of())), Codec.ItemResult.ok(null)));
    assertEquals(2, codec.decodeChunkResults(sample, two, 2).size());

    BadRequestException fewer = refusedResults(codec, sample, two, 3);
    assertTrue(fewer.getMessage().startsWith("Batch.sample: "), fewer.getMessage());
    assertContains("array of 3 {ok} or {error} entries, read 2", fewer.getMessage());
    BadRequestException more = refusedResults(codec, sample, two, 1);
    assertContains("array of 1 {ok} or {error} entries", more.getMessage());
    BadRequestException none = refusedResults(codec, sample, WireBytes.of(format, "[]"), 1);
    assertContains("array of 1 {ok} or {error} entries, read 0", none.getMessage());
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void malformedResultEntriesAreRefused(WireFormat format) {
    Codec codec = Codec.of(format);
    BadRequestException other = refusedResults(codec, sample, WireBytes.of(format, "[{\"ok\": null}, {\"other\": 1}]"), 2);
    assertContains("Batch.sample: a chunk's result must be a " + format + " array of 2 {ok} or {error} entries, read 1",
        other.getMessage());
    BadRequestException empty = refusedResults(codec, sample, WireBytes.of(format, "[{}]"), 1);
    assertContains("read 0", empty.getMessage());
    BadRequestException both = refusedResults(codec, sample,
        WireBytes.of(format, "[{\"ok\": null, \"error\": {\"code\": \"REMOTE\", \"message\": \"m\"}}]"), 1);
    assertContains("array of 1 {ok} or {error} entries", both.getMessage());
    BadRequestException bare = refusedResults(codec, sample, WireBytes.of(format, "[{\"name\": \"a\", \"values\": []}]"), 1);
    assertContains("read 0", bare.getMessage());
    BadRequestException notAnArray = refusedResults(codec, sample, WireBytes.of(format, "{\"ok\": null}"), 1);
    assertContains("array of 1 {ok} or {error} entries, read 0", notAnArray.getMessage());
    BadRequestException wrongType = refusedResults(codec, sample, WireBytes.of(format, "[{\"ok\": [1, 2]}]"), 1);
    assertContains("Batch.sample: cannot decode the chunk's results", wrongType.getMessage());
    BadRequestException unknownCode = refusedResults(codec, sample,
        WireBytes.of(format, "[{\"error\": {\"code\": \"NO_SUCH_CODE\", \"message\": \"m\"}}]"), 1);
    assertContains("Batch.sample: cannot decode the chunk's results", unknownCode.getMessage());
    // A good body cut short, inside its value: not valid JSON (or CBOR).
    byte[] good = codec.encodeChunkResults(sample, List.of(Codec.ItemResult.ok(new Sample("a", List.of(1, 2, 3)))));
    assertEquals(new Sample("a", List.of(1, 2, 3)), codec.decodeChunkResults(sample, good, 1).get(0).value());
    BadRequestException truncated = refusedResults(codec, sample, Arrays.copyOf(good, good.length - 4), 1);
    assertContains("Batch.sample: cannot decode the chunk's results", truncated.getMessage());
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void anErrorEntryWithoutAnErrorIsABadRequest(WireFormat format) {
    Codec codec = Codec.of(format);
    // A worker's (or a forged) reply whose error is null or has no code: refused as malformed, like any other.
    BadRequestException noCode = refusedResults(codec, sample, WireBytes.of(format, "[{\"error\": {\"message\": \"m\"}}]"), 1);
    assertContains("Batch.sample: cannot decode the chunk's results", noCode.getMessage());
    BadRequestException nullError = refusedResults(codec, sample, WireBytes.of(format, "[{\"error\": null}]"), 1);
    assertTrue(nullError.getMessage().startsWith("Batch.sample: "), nullError.getMessage());
  }
}
