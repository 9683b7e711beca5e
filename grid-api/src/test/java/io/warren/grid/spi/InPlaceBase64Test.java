package io.warren.grid.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.BadRequestException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * A JSON base64 string is decoded from the message's own bytes ({@link InPlaceBase64}), and what
 * the fast path does not take goes to the standard reader, which sees the string's bytes alone.
 *
 * <p>The tests hand it a reader of {@code String} as the standard one: a {@code byte[]} back means
 * the string was decoded in place, a {@code String} that the standard reader read it.
 */
class InPlaceBase64Test {
  interface Blobs {
    byte[] echo(byte[] payload);

    String label(int n, byte[] payload, String name);

    int tail(int n, byte[] payload);
  }

  private final ObjectMapper mapper = JsonMapper.builder().build();
  /** Reads one value of a parser that goes on after it, as the codec's element readers do. */
  private final ObjectReader strings = elementReader(mapper, String.class);
  private final Codec codec = Codec.json();
  private final ServiceContract blobs = ServiceContract.of(Blobs.class);
  private final MethodContract echo = blobs.method("echo([B)").orElseThrow();
  private final MethodContract label = blobs.method("label(int,[B,java.lang.String)").orElseThrow();
  private final MethodContract tail = blobs.method("tail(int,[B)").orElseThrow();

  @Test
  void theInputsLastStringIsDecodedFromTheEndWithoutTheParserReadingIt() {
    byte[] body = "junk[ 1, \"QUJD\" \n]\t ".getBytes(StandardCharsets.US_ASCII);
    try (JsonParser parser = mapper.createParser(body, 4, body.length - 4)) {
      parser.nextToken();
      parser.nextToken();
      parser.nextToken();
      assertArrayEquals("ABC".getBytes(StandardCharsets.US_ASCII), InPlaceBase64.readIfLast(parser, body, 4, body.length, true));
      assertEquals(JsonToken.VALUE_STRING, parser.currentToken());
    }
    byte[] lone = " \"QUI=\"\r\n".getBytes(StandardCharsets.US_ASCII);
    try (JsonParser parser = mapper.createParser(lone)) {
      parser.nextToken();
      assertArrayEquals("AB".getBytes(StandardCharsets.US_ASCII), InPlaceBase64.readIfLast(parser, lone, 0, lone.length, false));
    }
  }

  @Test
  void aStringThatIsNotTheInputsLastValueOrNotPlainBase64IsLeftToTheParser() {
    // Another value after it, something after the array, two strings, an escape, no closing bracket
    // or another in its place.
    List<String> bodies = List.of("[\"QUJD\", 7]", "[\"QUJD\"] 7", "[\"QU\", \"JD\"]", "[\"QU\\u004aD\"]", "[\"QUJD\"",
        "[\"QUJD\"}", "[\"QUJD\"x");
    for (String text : bodies) {
      byte[] body = text.getBytes(StandardCharsets.US_ASCII);
      try (JsonParser parser = mapper.createParser(body)) {
        parser.nextToken();
        parser.nextToken();
        assertNull(InPlaceBase64.readIfLast(parser, body, 0, body.length, true), text);
        assertEquals(JsonToken.VALUE_STRING, parser.currentToken(), text);
        assertEquals(1, parser.currentTokenLocation().getByteOffset(), text); // not moved
      }
    }
  }

  @Test
  void aStringIsDecodedFromTheBodyAtTheParsersOffsetAndTheParserMovesToTheNextToken() {
    byte[] body = "junk[ \"QUJD\" ,\n\"REVG\"]  ".getBytes(StandardCharsets.US_ASCII);
    try (JsonParser parser = mapper.createParser(body, 4, body.length - 4)) {
      parser.nextToken();
      parser.nextToken();
      assertArrayEquals("ABC".getBytes(StandardCharsets.US_ASCII), (byte[]) InPlaceBase64.readAndAdvance(parser, body, 4, strings));
      assertEquals(JsonToken.VALUE_STRING, parser.currentToken());
      assertArrayEquals("DEF".getBytes(StandardCharsets.US_ASCII), (byte[]) InPlaceBase64.readAndAdvance(parser, body, 4, strings));
      assertEquals(JsonToken.END_ARRAY, parser.currentToken());
      assertNull(parser.nextToken());
    }
  }

  @Test
  void aStringThatEndsTheInputLeavesTheParserAtItsEnd() {
    byte[] body = " \"QUI=\" \n".getBytes(StandardCharsets.US_ASCII);
    try (JsonParser parser = mapper.createParser(body)) {
      parser.nextToken();
      assertArrayEquals("AB".getBytes(StandardCharsets.US_ASCII), (byte[]) InPlaceBase64.readAndAdvance(parser, body, 0, strings));
      assertNull(parser.currentToken());
    }
  }

  @Test
  void whatTheFastPathDoesNotTakeTheStandardReaderReadsFromTheStringsOwnBytes() {
    // An escape, missing padding, a character outside base64, whitespace, and non-ASCII text.
    List<String> texts = List.of("QU\\u004aD", "QUI", "QU!D", "QU D", "QUJDÀ===");
    for (String text : texts) {
      byte[] body = ("[\"" + text + "\", 7]").getBytes(StandardCharsets.UTF_8);
      try (JsonParser parser = mapper.createParser(body)) {
        parser.nextToken();
        parser.nextToken();
        Object value = InPlaceBase64.readAndAdvance(parser, body, 0, strings);
        assertEquals(mapper.readValue(body, Object[].class)[0], value, text); // the text, as Jackson reads it
        assertEquals(JsonToken.VALUE_NUMBER_INT, parser.currentToken(), text);
      }
    }
  }

  @Test
  void anythingButAStringGoesToTheStandardReader() {
    byte[] body = "[[1, 2], 3]".getBytes(StandardCharsets.US_ASCII);
    try (JsonParser parser = mapper.createParser(body)) {
      parser.nextToken();
      parser.nextToken();
      assertArrayEquals(new byte[] {1, 2}, (byte[]) InPlaceBase64.readAndAdvance(parser, body, 0, elementReader(mapper, byte[].class)));
      assertEquals(JsonToken.VALUE_NUMBER_INT, parser.currentToken());
    }
  }

  @Test
  void aParserOverCharactersRatherThanUtf8BytesGoesToTheStandardReader() {
    byte[] body = "[\"QUJD\"]".getBytes(StandardCharsets.UTF_16BE);
    try (JsonParser parser = mapper.createParser(body)) {
      parser.nextToken();
      parser.nextToken();
      assertEquals("QUJD", InPlaceBase64.readAndAdvance(parser, body, 0, strings));
      assertEquals(JsonToken.END_ARRAY, parser.currentToken());
    }
  }

  @Test
  void aStringLongerThanTheParserAllowsGoesToTheStandardReaderWhichRefusesIt() {
    ObjectMapper strict = JsonMapper.builder(JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(8).build()).build()).build();
    byte[] body = "[\"QUJDREVGR0hJ\"]".getBytes(StandardCharsets.US_ASCII);
    try (JsonParser parser = strict.createParser(body)) {
      parser.nextToken();
      parser.nextToken();
      JacksonException e = assertThrows(JacksonException.class,
          () -> InPlaceBase64.readAndAdvance(parser, body, 0, elementReader(strict, String.class)));
      assertTrue(e.getMessage().contains("String value length"), e.getMessage());
    }
  }

  @Test
  void theCodecReadsEveryPaddingCaseAndLargePayloadsAsArgumentsInsideACallAndAsResults() {
    Random random = new Random(11);
    List<byte[]> payloads = new ArrayList<>();
    for (int length = 0; length <= 12; length++) {
      payloads.add(Base64Reads.randomBytes(random, length));
    }
    payloads.add(Base64Reads.randomBytes(random, 16 * 1024 + 2));
    for (byte[] payload : payloads) {
      CallEnvelope envelope = new CallEnvelope(Blobs.class.getName(), label.signature(), 1, null, 0);
      CallMessage call = codec.readCall(codec.encodeCall(envelope, label, new Object[] {3, payload, "x"}));
      Object[] args = codec.decodeArguments(label, call);
      assertEquals(3, args[0]);
      assertArrayEquals(payload, (byte[]) args[1], payload.length + " bytes");
      assertEquals("x", args[2]);
      assertArrayEquals(payload, (byte[]) codec.decodeResult(echo, codec.encodeResult(echo, payload)), payload.length + " bytes");
    }
  }

  @Test
  void theCodecAcceptsAndRefusesWhatJacksonDoesAsAResultAndAsAnArgumentWhereverItStands() {
    String call = "[\"" + Blobs.class.getName() + "\", \"" + tail.signature() + "\", 1, null, 0, [1, %s]]";
    for (String value : Base64Reads.ODD_VALUES) {
      Map<String, Callable<byte[]>> places = new LinkedHashMap<>();
      places.put("the result", () -> (byte[]) codec.decodeResult(echo, utf8(value)));
      places.put("the only argument", () -> (byte[]) codec.decodeArguments(echo, utf8("[" + value + "]"))[0]);
      places.put("the last argument of a call message",
          () -> (byte[]) codec.decodeArguments(tail, codec.readCall(utf8(String.format(call, value))))[1]);
      places.put("an argument in the middle", () -> (byte[]) codec.decodeArguments(label, utf8("[1, " + value + ", \"x\"]"))[1]);
      places.put("the last argument of a chunk's item",
          () -> (byte[]) codec.decodeChunkArguments(tail, utf8("[[1, " + value + "], [2, " + value + "]]"), 2).get(1)[1]);
      places.put("a chunk's result",
          () -> (byte[]) codec.decodeChunkResults(echo, utf8("[{\"ok\": " + value + "}]"), 1).get(0).value());
      places.forEach((place, read) -> Base64Reads.assertReadsAsJackson(value, place, read));
    }
  }

  @Test
  void aResultWithSomethingAfterTheStringOrNoEndIsRefused() {
    for (String body : List.of("\"AQID\" 7", "\"AQID", "\"AQID\" \"AQID\"", "")) {
      assertThrows(BadRequestException.class, () -> codec.decodeResult(echo, utf8(body)), body);
    }
  }

  @Test
  void aRefusedArgumentInTheMiddleIsNamed() {
    BadRequestException e = assertThrows(BadRequestException.class,
        () -> codec.decodeArguments(label, "[1, \"!!!!\", \"x\"]".getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().startsWith("Blobs.label: argument 1 is not a byte[]: "), e.getMessage());
  }

  @Test
  void aChunksResultsAreReadInPlaceToo() {
    byte[] first = Base64.getDecoder().decode("QUJD");
    List<Codec.ItemResult> results = codec.decodeChunkResults(echo,
        "[{\"ok\": \"QUJD\"}, {\"ok\":null}, {\"ok\": \"AQ\\u0049D\"}]".getBytes(StandardCharsets.UTF_8), 3);
    assertArrayEquals(first, (byte[]) results.get(0).value());
    assertNull(results.get(1).value());
    assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) results.get(2).value());
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static ObjectReader elementReader(ObjectMapper mapper, Class<?> type) {
    return mapper.readerFor(type).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }
}
