package io.warren.grid.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.BadRequestException;
import io.warren.grid.WireFormat;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.core.JsonGenerator;

/**
 * A call message, {@code [interface, method, deadline, lease, chunk, arguments]}, in both formats:
 * the envelope reads back as written, the arguments decode by their declared types from inside the
 * body, and a body that is not such a message is refused with an error naming the element that is
 * wrong.
 */
class CallEnvelopeCodecTest {
  record Point(int x, int y) {}

  interface Plotter {
    int plot(int n, Point point);

    byte[] echo(byte[] payload);
  }

  private static final MethodContract PLOT =
      ServiceContract.of(Plotter.class).method("plot(int,io.warren.grid.spi.CallEnvelopeCodecTest$Point)").orElseThrow();
  private static final MethodContract ECHO = ServiceContract.of(Plotter.class).method("echo([B)").orElseThrow();
  private static final String PLOTTER = Plotter.class.getName();
  private static final String PLOT_SIGNATURE = PLOT.signature();

  /** A well-formed message of {@code plot}, with {@code arguments} (JSON text) as its last element. */
  private static String plotCall(String arguments) {
    return "[\"" + PLOTTER + "\", \"" + PLOT_SIGNATURE + "\", 1700000000000, null, 0, " + arguments + "]";
  }

  private static BadRequestException refused(Codec codec, byte[] body) {
    return assertThrows(BadRequestException.class, () -> codec.decodeArguments(PLOT, codec.readCall(body)));
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void aCallReadsBackAsWritten(WireFormat format) {
    Codec codec = Codec.of(format);
    CallEnvelope envelope = new CallEnvelope(PLOTTER, PLOT_SIGNATURE, 1_700_000_000_123L, null, 0);
    CallMessage call = codec.readCall(codec.encodeCall(envelope, PLOT, new Object[] {7, new Point(1, 2)}));
    assertEquals(envelope, call.envelope());
    assertArrayEquals(new Object[] {7, new Point(1, 2)}, codec.decodeArguments(PLOT, call));

    CallEnvelope leased = new CallEnvelope(PLOTTER, PLOT_SIGNATURE, Long.MAX_VALUE, "lease-42", 0);
    assertEquals(leased, codec.readCall(codec.encodeCall(leased, PLOT, new Object[] {1, null})).envelope());
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void theArgumentsAreTheSameBytesAsAlone(WireFormat format) {
    Codec codec = Codec.of(format);
    byte[] payload = new byte[16 * 1024];
    Arrays.fill(payload, (byte) 7);
    byte[] alone = codec.encodeArguments(ECHO, new Object[] {payload});
    byte[] body = codec.encodeCall(new CallEnvelope(PLOTTER, ECHO.signature(), 1, null, 0), ECHO, new Object[] {payload});
    CallMessage call = codec.readCall(body);
    assertEquals(alone.length, call.argumentsLength());
    assertArrayEquals(alone, Arrays.copyOfRange(body, call.argumentsOffset(), call.argumentsOffset() + call.argumentsLength()));
    assertArrayEquals(payload, (byte[]) codec.decodeArguments(ECHO, call)[0]);
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void aChunkReadsBackWithItsCount(WireFormat format) {
    Codec codec = Codec.of(format);
    List<Object[]> calls = List.of(new Object[] {1, new Point(1, 1)}, new Object[] {2, new Point(2, 2)});
    CallEnvelope envelope = new CallEnvelope(PLOTTER, PLOT_SIGNATURE, 5, "lease-1", 2);
    CallMessage call = codec.readCall(codec.encodeChunkCall(envelope, PLOT, calls));
    assertEquals(envelope, call.envelope());
    List<Object[]> back = codec.decodeChunkArguments(PLOT, call);
    assertEquals(2, back.size());
    assertArrayEquals(calls.get(1), back.get(1));

    assertThrows(IllegalArgumentException.class, () -> codec.encodeChunkCall(
        new CallEnvelope(PLOTTER, PLOT_SIGNATURE, 5, null, 3), PLOT, calls), "an envelope that miscounts");
    assertThrows(IllegalArgumentException.class, () -> codec.encodeCall(envelope, PLOT, calls.get(0)),
        "a single call in a chunk's envelope");
  }

  @Test
  void jsonMayEndInWhitespaceAndCborMayUseAnIndefiniteArray() {
    CallMessage spaced = Codec.json().readCall((plotCall("[3, {\"x\": 1, \"y\": 2}]") + " \n\t").getBytes(StandardCharsets.UTF_8));
    assertArrayEquals(new Object[] {3, new Point(1, 2)}, Codec.json().decodeArguments(PLOT, spaced));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator generator = Codec.cbor().mapper().createGenerator(out)) {
      generator.writeStartArray(); // no size: an indefinite-length array, closed by a break byte
      generator.writeString(PLOTTER);
      generator.writeString(PLOT_SIGNATURE);
      generator.writeNumber(9L);
      generator.writeNull();
      generator.writeNumber(0);
      generator.writeStartArray();
      generator.writeNumber(4);
      generator.writePOJO(new Point(5, 6));
      generator.writeEndArray();
      generator.writeEndArray();
    }
    assertEquals((byte) 0x9f, out.toByteArray()[0]);
    CallMessage indefinite = Codec.cbor().readCall(out.toByteArray());
    assertEquals(9L, indefinite.envelope().deadlineMillis());
    assertArrayEquals(new Object[] {4, new Point(5, 6)}, Codec.cbor().decodeArguments(PLOT, indefinite));
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void aBodyThatIsNoCallMessageIsRefusedNamingWhatIsWrong(WireFormat format) {
    Codec codec = Codec.of(format);
    String p = "\"" + PLOTTER + "\"";
    String m = "\"" + PLOT_SIGNATURE + "\"";
    record Case(String body, String message) {}
    List<Case> cases = List.of(
        new Case("{\"interface\": 1}", "it is not an array"),
        new Case("[1, 2]", "element 0, the interface, is not a string"), // the arguments alone
        new Case("[" + p + ", 7, 1, null, 0, [1, {}]]", "element 1, the method, is not a string"),
        new Case("[" + p + ", " + m + ", \"soon\", null, 0, [1, {}]]", "element 2, the deadline, is not an integer"),
        new Case("[" + p + ", " + m + ", 1.5, null, 0, [1, {}]]", "element 2, the deadline, is not an integer"),
        new Case("[" + p + ", " + m + ", 1, 42, 0, [1, {}]]", "element 3, the lease, is neither a string nor null"),
        new Case("[" + p + ", " + m + ", 1, null, \"0\", [1, {}]]", "element 4, the chunk's number of calls, is not an integer"),
        new Case("[" + p + ", " + m + ", 1, null, -1, [1, {}]]", "element 4 must be 0 (a single call) or count the calls"),
        new Case("[" + p + ", " + m + ", 1, null, 1000000, [[1, {}]]]", "element 4 must be 0 (a single call) or count the calls"),
        new Case("[" + p + ", " + m + ", 1, null, 0, {\"n\": 1}]", "element 5, the arguments, is not an array"),
        new Case("[" + p + ", " + m + ", 1, null, 0]", "element 5, the arguments, is not an array"));
    for (Case c : cases) {
      BadRequestException error = assertThrows(BadRequestException.class, () -> codec.readCall(WireBytes.of(format, c.body())));
      assertTrue(error.getMessage().contains("[interface, method, deadline, lease, chunk, arguments]")
          && error.getMessage().contains(c.message()), c.body() + ": " + error.getMessage());
    }
    BadRequestException garbage = assertThrows(BadRequestException.class,
        () -> codec.readCall(new byte[] {0x5b, 0x22, (byte) 0xff, 0x01}));
    assertTrue(garbage.getMessage().contains("[interface, method, deadline, lease, chunk, arguments]"), garbage.getMessage());
    assertThrows(BadRequestException.class, () -> codec.readCall(new byte[0]), "an empty body");
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void argumentsInsideTheEnvelopeKeepTheirTypedErrors(WireFormat format) {
    Codec codec = Codec.of(format);
    BadRequestException type = refused(codec, WireBytes.of(format, plotCall("[1, [1, 2]]")));
    assertTrue(type.getMessage().contains("argument 1 is not a"), type.getMessage());
    BadRequestException count = refused(codec, WireBytes.of(format, plotCall("[1]")));
    assertTrue(count.getMessage().contains("expected 2 arguments, got 1"), count.getMessage());
    Object[] gadget = codec.decodeArguments(PLOT, codec.readCall(WireBytes.of(format, plotCall("[1, {\"@class\": \"java.net.URL\", \"x\": 1}]"))));
    assertEquals(new Point(1, 0), gadget[1], "the declared type is built, whatever the payload names");
  }

  @Test
  void anythingAfterTheArgumentsIsRefused() {
    String extra = "[\"" + PLOTTER + "\", \"" + PLOT_SIGNATURE + "\", 1, null, 0, [1, {\"x\": 1, \"y\": 2}], 3]";
    refused(Codec.json(), extra.getBytes(StandardCharsets.UTF_8));
    refused(Codec.json(), (plotCall("[1, {\"x\": 1, \"y\": 2}]") + "]").getBytes(StandardCharsets.UTF_8));
    refused(Codec.json(), plotCall("[1, {}]").replaceAll("]$", " ").getBytes(StandardCharsets.UTF_8)); // unclosed
    BadRequestException tail = assertThrows(BadRequestException.class,
        () -> Codec.json().readCall((plotCall("[1, {}]") + " x").getBytes(StandardCharsets.UTF_8)));
    assertTrue(tail.getMessage().contains("does not end with the envelope's ]"), tail.getMessage());

    byte[] cbor = WireBytes.of(WireFormat.CBOR, plotCall("[1, {\"x\": 1, \"y\": 2}]"));
    byte[] trailing = Arrays.copyOf(cbor, cbor.length + 1); // a seventh item after the envelope's six
    trailing[cbor.length] = 0x01;
    refused(Codec.cbor(), trailing);
    byte[] seven = WireBytes.of(WireFormat.CBOR, extra);
    BadRequestException notSix = assertThrows(BadRequestException.class, () -> Codec.cbor().readCall(seven));
    assertTrue(notSix.getMessage().contains("array of 6 elements"), notSix.getMessage());
  }
}
