package io.warren.grid.spi;

import io.warren.grid.BadRequestException;
import io.warren.grid.WireFormat;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.ObjectMapper;

/**
 * How a {@link CallEnvelope} frames a call's arguments in the body, {@code [interface, method,
 * deadline, lease, chunk, arguments]}: written around the arguments as {@link Codec} encodes them,
 * and read without touching the arguments, which {@link Codec} then decodes in place by their
 * declared types.
 *
 * <p>The arguments are found by where they start and by where the envelope ends: in JSON its
 * closing bracket, the last byte but for whitespace; in CBOR the end of the body, the array having a
 * definite length of six (an indefinite-length array, closed by a break byte, is read too). So
 * reading the envelope never scans the arguments, and they are read once.
 */
final class CallFraming {
  /** A call message's elements: interface, method, deadline, lease, chunk, arguments. */
  private static final int ELEMENTS = 6;
  private static final byte CBOR_ARRAY_OF_SIX = (byte) 0x86;
  private static final byte CBOR_INDEFINITE_ARRAY = (byte) 0x9f;
  private static final byte CBOR_BREAK = (byte) 0xff;

  private CallFraming() {}

  /** Opens the envelope and writes its fields, if there is one ({@code envelope} null: the arguments alone). */
  static void open(JsonGenerator generator, CallEnvelope envelope) {
    if (envelope == null) {
      return;
    }
    generator.writeStartArray(null, ELEMENTS);
    generator.writeString(envelope.interfaceName());
    generator.writeString(envelope.signature());
    generator.writeNumber(envelope.deadlineMillis());
    if (envelope.leaseId() == null) {
      generator.writeNull();
    } else {
      generator.writeString(envelope.leaseId());
    }
    generator.writeNumber(envelope.chunk());
  }

  /** Closes what {@link #open} opened, after the arguments. */
  static void close(JsonGenerator generator, CallEnvelope envelope) {
    if (envelope != null) {
      generator.writeEndArray();
    }
  }

  /** Reads the envelope of {@code body}, in {@code format}, and where its arguments lie; see {@link Codec#readCall}. */
  static CallMessage read(ObjectMapper mapper, WireFormat format, byte[] body) {
    try (JsonParser parser = mapper.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw badCall(format, "it is not an array");
      }
      String interfaceName = parser.nextStringValue();
      if (interfaceName == null) {
        throw badCall(format, "element 0, the interface, is not a string");
      }
      String signature = parser.nextStringValue();
      if (signature == null) {
        throw badCall(format, "element 1, the method, is not a string");
      }
      if (parser.nextToken() != JsonToken.VALUE_NUMBER_INT) {
        throw badCall(format, "element 2, the deadline, is not an integer (epoch ms)");
      }
      long deadlineMillis = parser.getLongValue();
      JsonToken lease = parser.nextToken();
      if (lease != JsonToken.VALUE_STRING && lease != JsonToken.VALUE_NULL) {
        throw badCall(format, "element 3, the lease, is neither a string nor null");
      }
      String leaseId = lease == JsonToken.VALUE_STRING ? parser.getString() : null;
      if (parser.nextToken() != JsonToken.VALUE_NUMBER_INT) {
        throw badCall(format, "element 4, the chunk's number of calls, is not an integer");
      }
      long chunk = parser.getLongValue();
      if (chunk < 0 || chunk > body.length) { // every call of a chunk takes at least one byte
        throw badCall(format, "element 4 must be 0 (a single call) or count the calls of the chunk, was " + chunk);
      }
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw badCall(format, "element 5, the arguments, is not an array");
      }
      int offset = (int) parser.currentTokenLocation().getByteOffset();
      int end = argumentsEnd(format, body);
      if (end < offset) {
        throw badCall(format, format == WireFormat.CBOR
            ? "it is not a CBOR array of " + ELEMENTS + " elements" : "it does not end with the envelope's ]");
      }
      return new CallMessage(new CallEnvelope(interfaceName, signature, deadlineMillis, leaseId, (int) chunk),
          body, offset, end - offset);
    } catch (JacksonException e) {
      throw badCall(format, "it is not valid " + format + ": " + e.getOriginalMessage());
    }
  }

  /** Where the arguments of a call message end: just before the envelope closes; -1 if it does not close there. */
  private static int argumentsEnd(WireFormat format, byte[] body) {
    if (format == WireFormat.CBOR) {
      if (body.length > 0 && body[0] == CBOR_ARRAY_OF_SIX) {
        return body.length;
      }
      boolean indefinite = body.length > 1 && body[0] == CBOR_INDEFINITE_ARRAY && body[body.length - 1] == CBOR_BREAK;
      return indefinite ? body.length - 1 : -1;
    }
    int last = body.length - 1;
    while (last >= 0 && (body[last] == ' ' || body[last] == '\n' || body[last] == '\r' || body[last] == '\t')) {
      last--;
    }
    return last >= 0 && body[last] == ']' ? last : -1;
  }

  private static BadRequestException badCall(WireFormat format, String what) {
    return new BadRequestException("a call's body must be a " + format
        + " array [interface, method, deadline, lease, chunk, arguments]: " + what);
  }
}
