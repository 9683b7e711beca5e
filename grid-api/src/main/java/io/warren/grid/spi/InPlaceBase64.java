package io.warren.grid.spi;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.json.UTF8StreamJsonParser;
import tools.jackson.databind.ObjectReader;

/**
 * Reads a {@code byte[]} that a JSON message carries as a base64 string straight from the message's
 * bytes, with the JDK's decoder, without the string being built first.
 *
 * <p>Why: to read a string, Jackson copies it byte by byte into its text buffer, growing it in
 * segments, then into a {@code String}, which the decoder copies once more. For a 16 KB payload
 * (22 KB of base64) that decode took 13.5 us and allocated 61 KB, of which the decoding itself is
 * 1.1 us (docs/benchmarks.md, item 56). Two ways round it:
 * <ul>
 *   <li>{@link #readIfLast}: the string is the input's last value, as a call's last argument or a
 *       result is. Its closing quote is found from the end of the input, and the decoder is the only
 *       thing that reads the string's bytes: 1.1 us at 16 KB.
 *   <li>{@link #readAndAdvance}: anywhere else. The parser skips the string, which still scans it,
 *       and the decoder reads the bytes it spanned: 5.9 us.
 * </ul>
 *
 * <p>{@link Codec} uses them where it drives the parser itself: the arguments of calls and chunks,
 * and results declared as {@code byte[]}. A {@code byte[]} inside another value is read by {@link
 * JdkBase64Module}. What the fast paths do not take (escapes, whitespace, missing padding, characters
 * outside base64, a string longer than the parser allows, a parser that is not reading UTF-8 bytes)
 * is read by the standard reader, so what is accepted and refused, and the error, stay Jackson's.
 */
final class InPlaceBase64 {
  private InPlaceBase64() {}

  /**
   * Decodes the string at the parser's current token if it is the last value of the input, which
   * ends at {@code end}: after its closing quote come only whitespace and, if {@code inArray}, the
   * closing bracket of the array it is in, then whitespace. The parser is left on the string, which
   * it has not read; the input has been read to its end.
   *
   * <p>Null, the parser untouched, if the token is not such a string or the string is not plain
   * padded base64. A decoded string cannot have ended before the quote found from the end: the
   * decoder refuses any quote or backslash between the two.
   *
   * @param offset where in {@code body} the parser started: its byte offsets count from there
   */
  static byte[] readIfLast(JsonParser parser, byte[] body, int offset, int end, boolean inArray) {
    int opening = openingQuote(parser, body, offset);
    if (opening < 0) {
      return null;
    }
    int closing = lastNonWhitespace(body, opening, end);
    if (inArray) {
      if (closing <= opening || body[closing] != ']') {
        return null;
      }
      closing = lastNonWhitespace(body, opening, closing);
    }
    if (closing <= opening || body[closing] != '"') {
      return null;
    }
    return decode(body, opening, closing, parser.streamReadConstraints().getMaxStringLength());
  }

  /**
   * Reads the value at the parser's current token and moves the parser to the token after it (null
   * at the end of the input). A base64 string is decoded in place; anything else, and any string the
   * fast path does not take, is read by {@code standard}.
   *
   * @param offset where in {@code body} the parser started: its byte offsets count from there
   */
  static Object readAndAdvance(JsonParser parser, byte[] body, int offset, ObjectReader standard) {
    int opening = openingQuote(parser, body, offset);
    if (opening < 0) {
      Object value = standard.readValue(parser);
      parser.nextToken();
      return value;
    }
    parser.nextToken(); // skips the string without copying it
    int closing = closingQuote(parser, body, offset, opening);
    byte[] decoded = decode(body, opening, closing, parser.streamReadConstraints().getMaxStringLength());
    return decoded != null ? decoded : standard.readValue(body, opening, closing - opening + 1);
  }

  /** Where in {@code body} the current string token's opening quote is, or -1 if the fast paths do not apply. */
  private static int openingQuote(JsonParser parser, byte[] body, int offset) {
    if (parser.currentToken() != JsonToken.VALUE_STRING || !(parser instanceof UTF8StreamJsonParser)) {
      return -1; // not a string, or a parser that decoded the bytes to characters (UTF-16 or UTF-32 input)
    }
    long at = offset + parser.currentTokenLocation().getByteOffset();
    return at >= offset && at < body.length && body[(int) at] == '"' ? (int) at : -1;
  }

  /**
   * Where the closing quote of the string that opened at {@code opening} is, the parser having moved
   * to the next token: between the two there is only whitespace and a separator.
   */
  private static int closingQuote(JsonParser parser, byte[] body, int offset, int opening) {
    long next = parser.currentToken() == null
        ? parser.currentLocation().getByteOffset()
        : parser.currentTokenLocation().getByteOffset();
    int at = (int) (offset + next) - 1;
    while (at > opening && body[at] != '"') {
      at--;
    }
    if (at == opening) { // Jackson moved past a string it had not read: its locations mean something else
      throw new IllegalStateException("no closing quote after the string at byte " + opening);
    }
    return at;
  }

  /** The last byte before {@code end} that is not JSON whitespace, or {@code floor} if none is after it. */
  private static int lastNonWhitespace(byte[] body, int floor, int end) {
    int at = end - 1;
    while (at > floor && (body[at] == ' ' || body[at] == '\n' || body[at] == '\r' || body[at] == '\t')) {
      at--;
    }
    return at;
  }

  /**
   * The bytes the base64 between the two quotes codes, or null if it is not plain padded base64
   * within {@code maxLength}: escapes or characters outside base64, which the standard reader
   * accepts or names.
   */
  private static byte[] decode(byte[] body, int opening, int closing, int maxLength) {
    int length = closing - opening - 1;
    return length > maxLength ? null : JdkBase64Module.decodePadded(body, opening + 1, length);
  }
}
