package io.warren.grid.spi;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import io.warren.grid.BadRequestException;
import io.warren.grid.WireFormat;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.MapperBuilder;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import tools.jackson.dataformat.cbor.CBORFactory;
import tools.jackson.dataformat.cbor.CBORMapper;

/**
 * Encodes call messages (a {@link CallEnvelope} and the call's arguments), results and published
 * state with Jackson in one {@link WireFormat} (JSON or CBOR), reading and writing only the types a
 * {@link MethodContract} or an implementation class declares.
 *
 * <p>Security: no default typing, and a polymorphic type validator that allows no class names, so a
 * payload can never make the reader build a class the interface did not declare (the gadget-chain
 * attacks of default typing). Published state is read into exactly the class being published.
 *
 * <p>Fields of any visibility are part of an object's state, so a service object with private
 * fields is copied as a whole to every instance without needing getters and setters.
 *
 * <p>Speed: the readers and writers of each declared type are built once and kept (a service's
 * types are few and live as long as its class, as {@link ServiceContract}'s cache already does), and
 * Jackson's buffers are recycled per thread: Warren's threads are long-lived platform threads, for
 * which a thread-local pool is cheaper than the shared deque Jackson defaults to for virtual threads.
 * Messages are written into a buffer kept per thread too ({@link EncodeBuffer}), so encoding
 * allocates the message and little else. Each encoder takes and gives back that buffer itself
 * rather than through one helper taking a lambda: such a helper measured ~0.2 us slower per 64 B
 * call ({@code BenchMain --only codec}, the two builds alternated twice).
 * In JSON a {@code byte[]} is base64, coded by the JDK ({@link JdkBase64Module}); an argument or a
 * result declared as {@code byte[]} is decoded straight from the message's bytes ({@link InPlaceBase64}).
 *
 * <p>Thread-safe; one shared instance per format: {@link #json()}, {@link #cbor()}.
 */
public final class Codec {
  private static final Codec JSON = new Codec(WireFormat.JSON, configured(JsonMapper.builder(
      JsonFactory.builder().recyclerPool(JsonRecyclerPools.threadLocalPool()).build())
      .addModule(JdkBase64Module.create())));
  private static final Codec CBOR = new Codec(WireFormat.CBOR, configured(CBORMapper.builder(
      CBORFactory.builder().recyclerPool(JsonRecyclerPools.threadLocalPool()).build())));

  private final WireFormat format;
  private final ObjectMapper mapper;
  /**
   * Reads one element of an argument array from a parser that goes on after it, so the trailing-token
   * check is off here; {@link #decodeArguments} checks the end of the array and of the input itself.
   */
  private final ObjectReader untypedElementReader;
  private final Map<Type, ObjectReader> elementReaders = new ConcurrentHashMap<>();
  private final Map<Type, ObjectReader> valueReaders = new ConcurrentHashMap<>();
  private final Map<Type, ObjectWriter> writers = new ConcurrentHashMap<>();

  private Codec(WireFormat format, ObjectMapper mapper) {
    this.format = format;
    this.mapper = mapper;
    this.untypedElementReader = mapper.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** The same rules for every format: see the class comment. */
  private static ObjectMapper configured(MapperBuilder<?, ?> builder) {
    return builder
        .changeDefaultVisibility(v -> v.withFieldVisibility(Visibility.ANY))
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .polymorphicTypeValidator(BasicPolymorphicTypeValidator.builder().build())
        .build();
  }

  /** The shared JSON codec: protocol messages, published state and, by default, calls. */
  public static Codec json() {
    return JSON;
  }

  /** The shared CBOR codec, for calls of a grid built with {@link WireFormat#CBOR}. */
  public static Codec cbor() {
    return CBOR;
  }

  /** The shared codec of {@code format}. */
  public static Codec of(WireFormat format) {
    return format == WireFormat.CBOR ? CBOR : JSON;
  }

  /**
   * The codec for a message's {@code content-type}; a missing one means JSON (Warren's first
   * messages carried none). An unknown type is a {@link BadRequestException} that names it.
   */
  public static Codec forContentType(String contentType) {
    if (contentType == null || contentType.isEmpty()) {
      return JSON;
    }
    return WireFormat.ofContentType(contentType).map(Codec::of).orElseThrow(() -> new BadRequestException(
        "content type " + contentType + " is not one Warren reads (" + Arrays.stream(WireFormat.values())
            .map(WireFormat::contentType).collect(Collectors.joining(", ")) + ")"));
  }

  /** The format this codec writes and reads. */
  public WireFormat format() {
    return format;
  }

  /** The configured mapper, for protocol messages that are plain records. */
  public ObjectMapper mapper() {
    return mapper;
  }

  /** Writes {@code args} as an array, each element as its declared parameter type. */
  public byte[] encodeArguments(MethodContract method, Object[] args) {
    return encodeSingle(null, method, args);
  }

  /**
   * Writes a call message: {@code [interface, method, deadline, lease, chunk, arguments]}, the
   * envelope's fields followed by {@code args} as {@link #encodeArguments} writes them. {@link
   * #readCall} reads it.
   */
  public byte[] encodeCall(CallEnvelope envelope, MethodContract method, Object[] args) {
    if (envelope.chunk() != 0) {
      throw new IllegalArgumentException("a single call's envelope announces a chunk of " + envelope.chunk());
    }
    return encodeSingle(envelope, method, args);
  }

  /** The arguments of one call, inside {@code envelope} unless it is null. */
  private byte[] encodeSingle(CallEnvelope envelope, MethodContract method, Object[] args) {
    checkArgumentCount(method, args);
    EncodeBuffer out = EncodeBuffer.take();
    try {
      try (JsonGenerator generator = mapper.createGenerator(out)) {
        CallFraming.open(generator, envelope);
        writeArguments(generator, method, args);
        CallFraming.close(generator, envelope);
      } catch (JacksonException e) {
        throw new BadRequestException(method.displayName() + ": cannot encode arguments: " + e.getOriginalMessage(), e);
      }
      return out.toByteArray();
    } finally {
      out.giveBack();
    }
  }

  /**
   * Writes the arguments of a chunk, several calls of one method sent as one message: an array
   * holding each call's argument array as {@link #encodeArguments} writes it.
   */
  public byte[] encodeChunkArguments(MethodContract method, List<Object[]> calls) {
    return encodeChunk(null, method, calls);
  }

  /**
   * Writes a chunk's call message: as {@link #encodeCall}, with the arguments {@link
   * #encodeChunkArguments} writes; the envelope counts the calls.
   */
  public byte[] encodeChunkCall(CallEnvelope envelope, MethodContract method, List<Object[]> calls) {
    if (envelope.chunk() != calls.size()) {
      throw new IllegalArgumentException("the envelope announces " + envelope.chunk() + " calls, the chunk holds "
          + calls.size());
    }
    return encodeChunk(envelope, method, calls);
  }

  /** The arguments of a chunk, inside {@code envelope} unless it is null. */
  private byte[] encodeChunk(CallEnvelope envelope, MethodContract method, List<Object[]> calls) {
    calls.forEach(args -> checkArgumentCount(method, args));
    EncodeBuffer out = EncodeBuffer.take();
    int index = 0;
    try {
      try (JsonGenerator generator = mapper.createGenerator(out)) {
        CallFraming.open(generator, envelope);
        generator.writeStartArray();
        for (; index < calls.size(); index++) {
          writeArguments(generator, method, calls.get(index));
        }
        generator.writeEndArray();
        CallFraming.close(generator, envelope);
      } catch (JacksonException e) {
        throw new BadRequestException(method.displayName() + ": cannot encode the arguments of chunk item " + index + ": "
            + e.getOriginalMessage(), e);
      }
      return out.toByteArray();
    } finally {
      out.giveBack();
    }
  }

  /**
   * Reads the envelope of a call message written by {@link #encodeCall} or {@link #encodeChunkCall},
   * leaving the arguments undecoded. A body that is not such a message is a {@link
   * BadRequestException} naming the element that is wrong.
   *
   * <p>Speed: only the five fields are parsed, and the arguments are found without being read
   * ({@code CallFraming}), so they are read once, by their declared types, and only after the
   * receiver has checked the envelope.
   */
  public CallMessage readCall(byte[] body) {
    return CallFraming.read(mapper, format, body);
  }

  private static void checkArgumentCount(MethodContract method, Object[] args) {
    int count = args == null ? 0 : args.length;
    if (count != method.parameterTypes().size()) {
      throw new BadRequestException(
          method.displayName() + ": expected " + method.parameterTypes().size() + " arguments, got " + count);
    }
  }

  private void writeArguments(JsonGenerator generator, MethodContract method, Object[] args) {
    List<Type> types = method.parameterTypes();
    generator.writeStartArray();
    for (int i = 0; i < types.size(); i++) {
      writer(types.get(i)).writeValue(generator, args[i]);
    }
    generator.writeEndArray();
  }

  /**
   * Reads arguments written by {@link #encodeArguments}, refusing anything but the declared types.
   *
   * <p>One pass over the bytes: each element of the array is bound straight from the parser to its
   * declared parameter type (in JSON, a {@code byte[]} is decoded from the base64 in the body, with
   * no intermediate tree or string: {@link InPlaceBase64}). Only when that fails are the bytes read again, as a plain tree, to
   * name the problem: not valid JSON (or CBOR), not an array, the wrong number of arguments, or else
   * the first argument that is not of its declared type.
   */
  public Object[] decodeArguments(MethodContract method, byte[] body) {
    return decodeArguments(method, body, 0, body.length);
  }

  /** Reads the arguments of a call message whose envelope {@link #readCall} read, as {@link #decodeArguments} does. */
  public Object[] decodeArguments(MethodContract method, CallMessage call) {
    return decodeArguments(method, call.body(), call.argumentsOffset(), call.argumentsLength());
  }

  private Object[] decodeArguments(MethodContract method, byte[] body, int offset, int length) {
    ArgumentCursor cursor = new ArgumentCursor(body, offset, offset + length);
    try (JsonParser parser = mapper.createParser(body, offset, length)) {
      if (parser.nextToken() == JsonToken.START_ARRAY) {
        Object[] args = readArguments(parser, method, cursor);
        if (args != null && (cursor.inputEnded || parser.nextToken() == null)) {
          return args;
        }
      }
    } catch (JacksonException e) {
      throw badArguments(method, body, offset, length, cursor.index, e);
    }
    throw badArguments(method, body, offset, length, cursor.index, null);
  }

  /**
   * Reads the argument arrays of a chunk written by {@link #encodeChunkArguments}: exactly {@code
   * count} of them, each read as {@link #decodeArguments} reads one. A chunk that does not decode
   * is refused as a whole, naming the first item that is wrong.
   */
  public List<Object[]> decodeChunkArguments(MethodContract method, byte[] body, int count) {
    return decodeChunkArguments(method, body, 0, body.length, count);
  }

  /** Reads the arguments of a chunk's call message whose envelope {@link #readCall} read, as many as it announces. */
  public List<Object[]> decodeChunkArguments(MethodContract method, CallMessage call) {
    return decodeChunkArguments(method, call.body(), call.argumentsOffset(), call.argumentsLength(),
        call.envelope().chunk());
  }

  private List<Object[]> decodeChunkArguments(MethodContract method, byte[] body, int offset, int length, int count) {
    checkCount(method, count);
    List<Object[]> calls = new ArrayList<>(Math.min(count, 1024)); // the count is the sender's word: grow as read
    try (JsonParser parser = mapper.createParser(body, offset, length)) {
      if (parser.nextToken() == JsonToken.START_ARRAY) {
        while (calls.size() < count && parser.nextToken() == JsonToken.START_ARRAY) {
          Object[] args = readArguments(parser, method, new ArgumentCursor(body, offset, -1));
          if (args == null) {
            break;
          }
          calls.add(args);
        }
        if (calls.size() == count && parser.nextToken() == JsonToken.END_ARRAY && parser.nextToken() == null) {
          return calls;
        }
      }
    } catch (JacksonException e) {
      throw badChunk(method, body, offset, length, count, e);
    }
    throw badChunk(method, body, offset, length, count, null);
  }

  /** Where a read of one argument array is, over which bytes. */
  private static final class ArgumentCursor {
    final byte[] body;
    /** Where in {@link #body} the parser started: its byte offsets count from there. */
    final int offset;
    /** Where the input ends if the argument array is its last value, else -1. */
    final int inputEnd;
    /** The element being read, for the error message. */
    int index;
    /** Whether the last argument was read straight to the end of the input, the parser left on it. */
    boolean inputEnded;

    ArgumentCursor(byte[] body, int offset, int inputEnd) {
      this.body = body;
      this.offset = offset;
      this.inputEnd = inputEnd;
    }
  }

  /**
   * Reads one argument array whose START_ARRAY the parser is on, leaving it on the END_ARRAY (or,
   * when {@code cursor.inputEnded}, on the last argument); null if it holds more or fewer elements
   * than the method's parameters.
   */
  private Object[] readArguments(JsonParser parser, MethodContract method, ArgumentCursor cursor) {
    List<Type> types = method.parameterTypes();
    Object[] args = new Object[types.size()];
    JsonToken token = parser.nextToken();
    for (; cursor.index < args.length && token != JsonToken.END_ARRAY; cursor.index++) {
      Type type = types.get(cursor.index);
      if (cursor.index == args.length - 1 && cursor.inputEnd >= 0 && readsInPlace(type)) {
        byte[] last = InPlaceBase64.readIfLast(parser, cursor.body, cursor.offset, cursor.inputEnd, true);
        if (last != null) {
          args[cursor.index++] = last;
          cursor.inputEnded = true;
          return args;
        }
      }
      args[cursor.index] = readElement(parser, type, cursor.body, cursor.offset);
      token = parser.currentToken();
    }
    return cursor.index == args.length && token == JsonToken.END_ARRAY ? args : null;
  }

  /**
   * Reads the value at the parser's current token as {@code type} and moves the parser to the token
   * after it. A {@code byte[]} in JSON is decoded in place ({@link InPlaceBase64}).
   */
  private Object readElement(JsonParser parser, Type type, byte[] body, int offset) {
    if (readsInPlace(type)) {
      return InPlaceBase64.readAndAdvance(parser, body, offset, elementReader(type));
    }
    Object value = elementReader(type).readValue(parser);
    parser.nextToken();
    return value;
  }

  /** Whether a value of {@code type} is a base64 string that {@link InPlaceBase64} reads: a {@code byte[]} in JSON. */
  private boolean readsInPlace(Type type) {
    return type == byte[].class && format == WireFormat.JSON;
  }

  private static void checkCount(MethodContract method, int count) {
    if (count < 0) {
      throw new BadRequestException(method.displayName() + ": a chunk cannot hold " + count + " calls");
    }
  }

  /** The error for a chunk that the one-pass read refused: the first item that is wrong, by name. */
  private BadRequestException badChunk(
      MethodContract method, byte[] body, int offset, int length, int count, JacksonException cause) {
    JsonNode array;
    try {
      array = mapper.readTree(body, offset, length);
    } catch (JacksonException e) {
      return new BadRequestException(
          method.displayName() + ": the chunk is not valid " + format + ": " + e.getOriginalMessage(), e);
    }
    if (array == null || !array.isArray()) {
      return new BadRequestException(method.displayName() + ": a chunk must be a " + format + " array of argument arrays");
    }
    if (array.size() != count) {
      return new BadRequestException(method.displayName() + ": the chunk announces " + count + " calls and holds "
          + array.size());
    }
    for (int i = 0; i < count; i++) {
      try {
        decodeArguments(method, mapper.writeValueAsBytes(array.get(i)));
      } catch (BadRequestException e) {
        return new BadRequestException("chunk item " + i + ": " + e.getMessage(), e);
      }
    }
    return new BadRequestException(method.displayName() + ": cannot decode the chunk", cause);
  }

  /** The error for arguments that the one-pass read refused; reads {@code body} as a tree to name it. */
  private BadRequestException badArguments(
      MethodContract method, byte[] body, int offset, int length, int index, JacksonException cause) {
    List<Type> types = method.parameterTypes();
    JsonNode array;
    try {
      array = mapper.readTree(body, offset, length);
    } catch (JacksonException e) {
      return new BadRequestException(
          method.displayName() + ": arguments are not valid " + format + ": " + e.getOriginalMessage(), e);
    }
    if (array == null || !array.isArray()) {
      return new BadRequestException(method.displayName() + ": arguments must be a " + format + " array");
    }
    if (array.size() != types.size()) {
      return new BadRequestException(
          method.displayName() + ": expected " + types.size() + " arguments, got " + array.size());
    }
    if (cause == null || index >= types.size()) { // not reached for well-formed input of the right size
      return new BadRequestException(method.displayName() + ": cannot decode the arguments", cause);
    }
    return new BadRequestException(
        method.displayName() + ": argument " + index + " is not a " + types.get(index).getTypeName() + ": "
            + cause.getOriginalMessage(), cause);
  }

  /** Writes a result as the method's declared result type. */
  public byte[] encodeResult(MethodContract method, Object result) {
    EncodeBuffer out = EncodeBuffer.take();
    try {
      writer(method.resultType()).writeValue(out, result);
      return out.toByteArray();
    } finally {
      out.giveBack();
    }
  }

  /** Reads a result as the method's declared result type. */
  public Object decodeResult(MethodContract method, byte[] body) {
    try {
      if (readsInPlace(method.resultType())) {
        try (JsonParser parser = mapper.createParser(body)) {
          byte[] bytes = parser.nextToken() == JsonToken.VALUE_STRING
              ? InPlaceBase64.readIfLast(parser, body, 0, body.length, false)
              : null;
          if (bytes != null) {
            return bytes;
          }
        } // else the reader below reads it, or names what is wrong
      }
      return valueReader(method.resultType()).readValue(body);
    } catch (JacksonException e) {
      throw new BadRequestException(method.displayName() + ": cannot decode the result: " + e.getOriginalMessage(), e);
    }
  }

  /** One call's outcome in a chunk's result: its value (which may be null), or the error it ended with. */
  public record ItemResult(Object value, WireError error) {
    public static ItemResult ok(Object value) {
      return new ItemResult(value, null);
    }

    public static ItemResult failed(WireError error) {
      return new ItemResult(null, requireNonNull(error, "error == null"));
    }
  }

  /**
   * Writes the results of a chunk's calls, in order: an array with one entry per call, {@code
   * {"ok": value}} (the value as the declared result type) or {@code {"error": {...}}} (a {@link
   * WireError}). A value that cannot be written becomes that item's {@code BAD_REQUEST} error; the
   * other items are kept.
   */
  public byte[] encodeChunkResults(MethodContract method, List<ItemResult> results) {
    List<ItemResult> items = new ArrayList<>(results);
    EncodeBuffer out = EncodeBuffer.take();
    try {
      return writeChunkResults(method, items, out);
    } finally {
      out.giveBack();
    }
  }

  private byte[] writeChunkResults(MethodContract method, List<ItemResult> items, EncodeBuffer out) {
    while (true) {
      out.reset();
      int index = 0;
      try (JsonGenerator generator = mapper.createGenerator(out)) {
        generator.writeStartArray();
        for (; index < items.size(); index++) {
          ItemResult item = items.get(index);
          generator.writeStartObject();
          if (item.error() == null) {
            generator.writeName("ok");
            writer(method.resultType()).writeValue(generator, item.value());
          } else {
            generator.writeName("error");
            writer(WireError.class).writeValue(generator, item.error());
          }
          generator.writeEndObject();
        }
        generator.writeEndArray();
      } catch (JacksonException e) {
        // Rare: write everything again with this item as an error, since the output holds part of it.
        items.set(index, ItemResult.failed(WireError.of(io.warren.grid.ErrorCode.BAD_REQUEST,
            method.displayName() + ": cannot encode the result: " + e.getOriginalMessage())));
        continue;
      }
      return out.toByteArray();
    }
  }

  /** Reads what {@link #encodeChunkResults} wrote: exactly {@code count} items, values as the declared result type. */
  public List<ItemResult> decodeChunkResults(MethodContract method, byte[] body, int count) {
    checkCount(method, count);
    List<ItemResult> results = new ArrayList<>(Math.min(count, 1024)); // the count is the sender's word: grow as read
    try (JsonParser parser = mapper.createParser(body)) {
      if (parser.nextToken() == JsonToken.START_ARRAY) {
        while (results.size() < count && parser.nextToken() == JsonToken.START_OBJECT) {
          String name = parser.nextName();
          parser.nextToken();
          if ("ok".equals(name)) {
            results.add(ItemResult.ok(readElement(parser, method.resultType(), body, 0)));
          } else if ("error".equals(name)) {
            WireError error = (WireError) readElement(parser, WireError.class, body, 0);
            if (error == null) {
              break; // {"error": null} is no error: a malformed entry
            }
            results.add(ItemResult.failed(error));
          } else {
            break;
          }
          if (parser.currentToken() != JsonToken.END_OBJECT) {
            break;
          }
        }
        if (results.size() == count && parser.nextToken() == JsonToken.END_ARRAY && parser.nextToken() == null) {
          return results;
        }
      }
      throw new BadRequestException(method.displayName() + ": a chunk's result must be a " + format + " array of "
          + count + " {ok} or {error} entries, read " + results.size());
    } catch (JacksonException e) {
      throw new BadRequestException(method.displayName() + ": cannot decode the chunk's results: " + e.getOriginalMessage(), e);
    }
  }

  /** Writes a service object's state: all its fields. */
  public byte[] encodeState(Object instance) {
    try {
      return mapper.writeValueAsBytes(instance);
    } catch (JacksonException e) {
      throw new io.warren.grid.InvalidServiceInterfaceException(
          instance.getClass().getName() + ": its state cannot be serialized: " + e.getOriginalMessage());
    }
  }

  /** Builds a copy of a service object of exactly {@code type} from its state. */
  public <T> T decodeState(byte[] state, Class<T> type) {
    try {
      return mapper.readValue(state, type);
    } catch (JacksonException e) {
      throw new BadRequestException(type.getName() + ": cannot build an instance from its state: " + e.getOriginalMessage(), e);
    }
  }

  private ObjectReader elementReader(Type type) {
    return elementReaders.computeIfAbsent(type, t -> untypedElementReader.forType(javaType(t)));
  }

  private ObjectReader valueReader(Type type) {
    return valueReaders.computeIfAbsent(type, t -> mapper.readerFor(javaType(t)));
  }

  private ObjectWriter writer(Type type) {
    return writers.computeIfAbsent(type, t -> mapper.writerFor(javaType(t)));
  }

  private JavaType javaType(Type type) {
    return mapper.getTypeFactory().constructType(type);
  }
}
