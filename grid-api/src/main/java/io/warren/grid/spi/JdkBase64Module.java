package io.warren.grid.spi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.json.UTF8JsonGenerator;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.jsonFormatVisitors.JsonFormatVisitorWrapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;
import tools.jackson.databind.type.ArrayType;

/**
 * A {@code byte[]} in JSON, written and read as the same base64 string as Jackson's own (RFC 4648,
 * padded, no line feeds), but coded by {@link java.util.Base64}.
 *
 * <p>Why: in JSON every {@code byte[]} argument and result travels as base64, and Jackson's coder
 * took about twice the JDK's time on the benchmark machine (16 KB: 41-61 us per direction against
 * 17-26; docs/benchmarks.md, item 25). The text is byte for byte Jackson's, so peers built with or
 * without this module read each other. On reading, {@link Codec} takes a {@code byte[]} argument or
 * result past this module ({@link InPlaceBase64}, which leaves it what it does not take); a {@code
 * byte[]} inside another value comes here.
 *
 * <p>Anything the fast path does not handle goes to Jackson's own code, so behaviour is unchanged:
 * generators that cannot take raw UTF-8 (writers, token buffers), and on reading every token but a
 * string, and every string the JDK refuses or that is not a whole number of 4-character groups
 * (Jackson reports those with its own message, and rejects unpadded input).
 */
final class JdkBase64Module {
  /** The longest base64 text a thread keeps a scratch array for; longer values get their own. */
  static final int KEPT_SCRATCH_CHARS = 256 * 1024;

  private JdkBase64Module() {}

  /** The module for a JSON mapper; CBOR carries bytes as a byte string and needs none. */
  static SimpleModule create() {
    return new SimpleModule("warren-jdk-base64")
        .addSerializer(byte[].class, new BytesWriter())
        .setDeserializerModifier(new ValueDeserializerModifier() {
          @Override
          public ValueDeserializer<?> modifyArrayDeserializer(DeserializationConfig config, ArrayType type,
              BeanDescription.Supplier description, ValueDeserializer<?> standard) {
            return type.getContentType().getRawClass() == byte.class ? new BytesReader(standard) : standard;
          }
        });
  }

  /**
   * Writes the base64 characters into a UTF-8 generator as one quoted string, encoded first into a
   * scratch array the thread keeps. Why: a fresh array per value, zeroed and then written, was a
   * third of a 16 KB call's codec allocation; reusing one took the call's codec work from 9.7 to
   * 7.6 us and 122,688 to 78,960 B (docs/benchmarks.md, item 57).
   */
  private static final class BytesWriter extends StdSerializer<byte[]> {
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[0]);

    BytesWriter() {
      super(byte[].class);
    }

    @Override
    public void serialize(byte[] value, JsonGenerator generator, SerializationContext context) throws JacksonException {
      if (generator instanceof UTF8JsonGenerator) {
        long chars = 4 * ((value.length + 2L) / 3); // in long: the base64 of a large array outgrows int
        byte[] base64;
        int length;
        if (chars <= KEPT_SCRATCH_CHARS) {
          base64 = scratch((int) chars);
          length = Base64.getEncoder().encode(value, base64);
        } else {
          base64 = Base64.getEncoder().encode(value);
          length = base64.length;
        }
        // ASCII, so valid UTF-8 that needs no escaping. The generator copies it before returning,
        // and nothing else runs on this thread in between: the scratch array is free again after.
        generator.writeRawUTF8String(base64, 0, length);
      } else {
        generator.writeBinary(context.getConfig().getBase64Variant(), value, 0, value.length);
      }
    }

    /** This thread's scratch array, grown to hold at least {@code chars}. */
    private static byte[] scratch(int chars) {
      byte[] scratch = SCRATCH.get();
      if (scratch.length < chars) {
        scratch = new byte[Math.min(KEPT_SCRATCH_CHARS, Math.max(chars, 2 * scratch.length))];
        SCRATCH.set(scratch);
      }
      return scratch;
    }

    @Override
    public boolean isEmpty(SerializationContext context, byte[] value) {
      return value.length == 0;
    }

    @Override
    public void acceptJsonFormatVisitor(JsonFormatVisitorWrapper visitor, JavaType type) {
      acceptJsonFormatVisitorForBinary(visitor, type);
    }
  }

  /** The length of the scratch array this thread keeps for encoding (for tests). */
  static int scratchLength() {
    return BytesWriter.SCRATCH.get().length;
  }

  /** Decodes a base64 string with the JDK; everything else is Jackson's standard {@code byte[]} reader. */
  private static final class BytesReader extends DelegatingDeserializer {
    BytesReader(ValueDeserializer<?> standard) {
      super(standard);
    }

    @Override
    protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> standard) {
      return new BytesReader(standard);
    }

    @Override
    public Object deserialize(JsonParser parser, DeserializationContext context) throws JacksonException {
      if (parser.currentToken() == JsonToken.VALUE_STRING) {
        byte[] text = parser.getString().getBytes(StandardCharsets.ISO_8859_1); // what the JDK's decode(String) does
        byte[] decoded = decodePadded(text, 0, text.length);
        if (decoded != null) {
          return decoded;
        }
      }
      return super.deserialize(parser, context); // names the problem in Jackson's own words
    }
  }

  /**
   * The bytes that {@code length} base64 characters from {@code offset} code, decoded by the JDK as
   * Jackson would accept them (padded: a whole number of 4-character groups); null if they are not,
   * or if the JDK refuses them (a character outside base64, padding inside), for Jackson's reader to
   * accept or name.
   */
  static byte[] decodePadded(byte[] text, int offset, int length) {
    if (length % 4 != 0) { // Jackson requires the padding, which the JDK does not
      return null;
    }
    try {
      ByteBuffer decoded = Base64.getDecoder().decode(ByteBuffer.wrap(text, offset, length));
      byte[] bytes = decoded.array();
      return decoded.remaining() == bytes.length ? bytes : Arrays.copyOf(bytes, decoded.remaining());
    } catch (IllegalArgumentException notPlainBase64) {
      return null;
    }
  }
}
