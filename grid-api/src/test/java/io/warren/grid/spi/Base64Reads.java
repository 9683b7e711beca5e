package io.warren.grid.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.BadRequestException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The yardstick for Warren's own base64 readers: Jackson's, with its own coder. Whatever it reads
 * as a {@code byte[]} they must read the same, and whatever it refuses they must refuse.
 */
final class Base64Reads {
  /** JSON values to read as a {@code byte[]}: padding cases, escapes, whitespace, non-ASCII, non-strings. */
  static final List<String> ODD_VALUES = List.of("\"\"", "\"AQ==\"", "\"AQ\"", "\"AQI=\"", "\"AQID\"", "\"A===\"",
      "\"!!!!\"", "\"AQ ID\"", "\" AQID\"", "\"AQID\\n\"", "\"AQ\\u0049D\"", "\"AQ==AQ==\"", "\"=AQI\"", "\"ÀQID\"",
      " \"AQID\" ", "\"AQID\"\n", "[1,2,3]", "[]", "null", "7", "{}", "true");

  /** Jackson with its own base64 coder. */
  private static final ObjectMapper JACKSON = JsonMapper.builder().build();

  private Base64Reads() {}

  /** Asserts that {@code read}, reading {@code value} as {@code place}, gets what Jackson gets from {@code value} alone. */
  static void assertReadsAsJackson(String value, String place, Callable<byte[]> read) {
    Object expected = outcome(() -> JACKSON.readValue(value, byte[].class));
    Object actual = outcome(read);
    if (expected instanceof byte[] bytes) {
      assertTrue(actual instanceof byte[], value + " as " + place + ": Jackson reads " + Arrays.toString(bytes) + ", Warren " + actual);
      assertArrayEquals(bytes, (byte[]) actual, value + " as " + place);
    } else {
      assertEquals(expected, actual, value + " as " + place); // null, or both refuse it
    }
  }

  static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  /** The bytes read, null, or "refused" when the reader threw. */
  private static Object outcome(Callable<byte[]> read) {
    try {
      return read.call();
    } catch (JacksonException | BadRequestException refused) {
      return "refused";
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
