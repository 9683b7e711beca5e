package io.warren.grid.spi;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;

/**
 * One remotely callable method of a service interface, parsed once: its wire signature, the
 * declared (generic) types of its parameters and of its result. The codec reads and writes exactly
 * these types, nothing else.
 *
 * @param method the interface method
 * @param signature {@code name(paramType,...)} with erased binary type names; overloads differ here
 * @param parameterTypes the declared generic parameter types
 * @param resultType the declared result type; for a {@code CompletableFuture<T>} method, {@code T};
 *     for {@code void}, {@code Void}
 * @param async true when the method returns {@code CompletableFuture<T>}
 */
public record MethodContract(
    Method method, String signature, List<Type> parameterTypes, Type resultType, boolean async) {
  public MethodContract {
    parameterTypes = List.copyOf(parameterTypes);
  }

  /** {@code Interface.method}, the name used in error messages. */
  public String displayName() {
    return method.getDeclaringClass().getSimpleName() + "." + method.getName();
  }

  /**
   * What a proxy returns from this method while {@code async(...)} captures the call: the zero
   * value of a primitive return type, otherwise null.
   */
  public Object placeholderResult() {
    Class<?> type = method.getReturnType();
    if (!type.isPrimitive() || type == void.class) {
      return null;
    }
    if (type == boolean.class) {
      return false;
    }
    if (type == char.class) {
      return '\0';
    }
    if (type == long.class) {
      return 0L;
    }
    if (type == float.class) {
      return 0f;
    }
    if (type == double.class) {
      return 0d;
    }
    if (type == byte.class) {
      return (byte) 0;
    }
    if (type == short.class) {
      return (short) 0;
    }
    return 0;
  }
}
