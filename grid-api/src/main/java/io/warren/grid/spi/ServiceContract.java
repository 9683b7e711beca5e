package io.warren.grid.spi;

import io.warren.grid.InvalidServiceInterfaceException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * A service interface parsed and checked once: every abstract method becomes a {@link
 * MethodContract} keyed by its full signature, so overloads are distinct and nothing is looked up by
 * name alone. Both the client's proxies and the worker's dispatcher use it, so the two sides agree
 * on signatures by construction.
 *
 * <p>Rejected early, with an {@link InvalidServiceInterfaceException} naming {@code
 * Interface.method}: classes (only interfaces can be proxied), generic interfaces and generic
 * methods (their types cannot be decoded safely), {@code Future}/{@code CompletionStage} results
 * other than {@code CompletableFuture<T>}, and types with wildcards or variables in results.
 * Methods of {@code Object} and default methods are not remote.
 *
 * <p>Thread-safe; contracts are cached per interface.
 */
public final class ServiceContract {
  private static final Map<Class<?>, ServiceContract> CACHE = new ConcurrentHashMap<>();

  private final Class<?> type;
  private final Map<Method, MethodContract> byMethod;
  private final Map<String, MethodContract> bySignature;

  private ServiceContract(Class<?> type, Map<Method, MethodContract> byMethod) {
    this.type = type;
    this.byMethod = Map.copyOf(byMethod);
    this.bySignature =
        byMethod.values().stream().collect(Collectors.toUnmodifiableMap(MethodContract::signature, m -> m, (a, b) -> a));
  }

  /** The contract of {@code type}, parsed on first use. */
  public static ServiceContract of(Class<?> type) {
    java.util.Objects.requireNonNull(type, "type == null");
    ServiceContract known = CACHE.get(type);
    return known != null ? known : CACHE.computeIfAbsent(type, ServiceContract::parse);
  }

  /** The interface. */
  public Class<?> type() {
    return type;
  }

  /** The remote method behind {@code method}; empty for default and {@code Object} methods. */
  public Optional<MethodContract> method(Method method) {
    return Optional.ofNullable(byMethod.get(method));
  }

  /** The remote method with {@code signature}, as a worker looks it up. */
  public Optional<MethodContract> method(String signature) {
    return Optional.ofNullable(bySignature.get(signature));
  }

  /** All remote methods. */
  public List<MethodContract> methods() {
    return List.copyOf(bySignature.values());
  }

  /** {@code name(java.lang.String,int)}: erased binary names, so overloads get distinct keys. */
  public static String signature(Method method) {
    return method.getName()
        + Arrays.stream(method.getParameterTypes()).map(Class::getName).collect(Collectors.joining(",", "(", ")"));
  }

  private static ServiceContract parse(Class<?> type) {
    if (!type.isInterface()) {
      throw invalid(type.getSimpleName(), "only interfaces can be service types, " + type.getName() + " is a class");
    }
    if (type.getTypeParameters().length > 0) {
      throw invalid(type.getSimpleName(), "generic service interfaces are not supported; declare concrete types");
    }
    Map<Method, MethodContract> methods = new HashMap<>();
    for (Method method : type.getMethods()) {
      if (Modifier.isStatic(method.getModifiers()) || method.isDefault() || isObjectMethod(method)) {
        continue;
      }
      methods.put(method, parseMethod(method));
    }
    return new ServiceContract(type, methods);
  }

  private static MethodContract parseMethod(Method method) {
    String name = method.getDeclaringClass().getSimpleName() + "." + method.getName();
    if (method.getTypeParameters().length > 0) {
      throw invalid(name, "generic methods are not supported: the worker could not tell which type to decode");
    }
    Type result = method.getGenericReturnType();
    Class<?> raw = method.getReturnType();
    boolean async = false;
    if (raw == CompletableFuture.class) {
      if (!(result instanceof ParameterizedType parameterized)) {
        throw invalid(name, "declare the result as CompletableFuture<T>, not a raw CompletableFuture");
      }
      result = parameterized.getActualTypeArguments()[0];
      async = true;
    } else if (Future.class.isAssignableFrom(raw) || CompletionStage.class.isAssignableFrom(raw)) {
      throw invalid(name, "asynchronous methods must return CompletableFuture<T>, not " + raw.getSimpleName());
    } else if (raw == void.class) {
      result = Void.class;
    }
    if (hasOpenType(result)) {
      throw invalid(name, "the result type " + result.getTypeName() + " has a wildcard or type variable");
    }
    for (Type parameter : method.getGenericParameterTypes()) {
      if (hasOpenType(parameter)) {
        throw invalid(name, "the parameter type " + parameter.getTypeName() + " has a wildcard or type variable");
      }
    }
    method.trySetAccessible(); // the worker invokes it reflectively; the interface may be non-public
    return new MethodContract(method, signature(method), List.of(method.getGenericParameterTypes()), result, async);
  }

  private static boolean hasOpenType(Type type) {
    if (type instanceof TypeVariable<?> || type instanceof WildcardType) {
      return true;
    }
    if (type instanceof ParameterizedType parameterized) {
      return Arrays.stream(parameterized.getActualTypeArguments()).anyMatch(ServiceContract::hasOpenType);
    }
    if (type instanceof java.lang.reflect.GenericArrayType array) {
      return hasOpenType(array.getGenericComponentType());
    }
    return false;
  }

  private static boolean isObjectMethod(Method method) {
    try {
      Object.class.getMethod(method.getName(), method.getParameterTypes());
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static InvalidServiceInterfaceException invalid(String where, String why) {
    return new InvalidServiceInterfaceException(where + ": " + why);
  }
}
