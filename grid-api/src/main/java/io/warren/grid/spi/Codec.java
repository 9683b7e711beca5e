package io.warren.grid.spi;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import io.warren.grid.BadRequestException;
import io.warren.grid.WireFormat;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Type;
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
 * Encodes call arguments, results and published state with Jackson in one {@link WireFormat} (JSON
 * or CBOR), reading and writing only the types a {@link MethodContract} or an implementation class
 * declares.
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
 *
 * <p>Thread-safe; one shared instance per format: {@link #json()}, {@link #cbor()}.
 */
public final class Codec {
  private static final Codec JSON = new Codec(WireFormat.JSON, configured(JsonMapper.builder(
      JsonFactory.builder().recyclerPool(JsonRecyclerPools.threadLocalPool()).build())));
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
    List<Type> types = method.parameterTypes();
    int count = args == null ? 0 : args.length;
    if (count != types.size()) {
      throw new BadRequestException(method.displayName() + ": expected " + types.size() + " arguments, got " + count);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator generator = mapper.createGenerator(out)) {
      generator.writeStartArray();
      for (int i = 0; i < count; i++) {
        writer(types.get(i)).writeValue(generator, args[i]);
      }
      generator.writeEndArray();
    } catch (JacksonException e) {
      throw new BadRequestException(method.displayName() + ": cannot encode arguments: " + e.getOriginalMessage(), e);
    }
    return out.toByteArray();
  }

  /**
   * Reads arguments written by {@link #encodeArguments}, refusing anything but the declared types.
   *
   * <p>One pass over the bytes: each element of the array is bound straight from the parser to its
   * declared parameter type (in JSON, a {@code byte[]} is decoded from the base64 in the buffer, with
   * no intermediate tree or string). Only when that fails are the bytes read again, as a plain tree, to
   * name the problem: not valid JSON (or CBOR), not an array, the wrong number of arguments, or else
   * the first argument that is not of its declared type.
   */
  public Object[] decodeArguments(MethodContract method, byte[] body) {
    List<Type> types = method.parameterTypes();
    Object[] args = new Object[types.size()];
    int index = 0;
    try (JsonParser parser = mapper.createParser(body)) {
      if (parser.nextToken() == JsonToken.START_ARRAY) {
        for (; index < args.length && parser.nextToken() != JsonToken.END_ARRAY; index++) {
          args[index] = elementReader(types.get(index)).readValue(parser);
        }
        if (index == args.length && parser.nextToken() == JsonToken.END_ARRAY && parser.nextToken() == null) {
          return args;
        }
      }
    } catch (JacksonException e) {
      throw badArguments(method, body, index, e);
    }
    throw badArguments(method, body, index, null);
  }

  /** The error for arguments that the one-pass read refused; reads {@code body} as a tree to name it. */
  private BadRequestException badArguments(MethodContract method, byte[] body, int index, JacksonException cause) {
    List<Type> types = method.parameterTypes();
    JsonNode array;
    try {
      array = mapper.readTree(body);
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
    return writer(method.resultType()).writeValueAsBytes(result);
  }

  /** Reads a result as the method's declared result type. */
  public Object decodeResult(MethodContract method, byte[] body) {
    try {
      return valueReader(method.resultType()).readValue(body);
    } catch (JacksonException e) {
      throw new BadRequestException(method.displayName() + ": cannot decode the result: " + e.getOriginalMessage(), e);
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
