package io.warren.grid.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.InvalidServiceInterfaceException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ServiceContractTest {

  interface Calculator {
    int add(int a, int b);

    long add(long a, long b);

    CompletableFuture<List<String>> names(Map<String, Integer> byName);

    void reset();

    default int twice(int a) {
      return add(a, a);
    }

    String toString();
  }

  interface Generic<T> {
    T get();
  }

  interface GenericMethod {
    <T> T echo(T value);
  }

  interface PlainFuture {
    Future<String> later();
  }

  interface RawFuture {
    @SuppressWarnings("rawtypes")
    CompletableFuture later();
  }

  interface Wildcard {
    void take(List<? extends Number> numbers);
  }

  @Test
  void overloadsGetDistinctSignatures() throws Exception {
    ServiceContract contract = ServiceContract.of(Calculator.class);
    MethodContract ints = contract.method(Calculator.class.getMethod("add", int.class, int.class)).orElseThrow();
    MethodContract longs = contract.method(Calculator.class.getMethod("add", long.class, long.class)).orElseThrow();
    assertEquals("add(int,int)", ints.signature());
    assertEquals("add(long,long)", longs.signature());
    assertEquals(ints, contract.method("add(int,int)").orElseThrow());
  }

  @Test
  void asyncMethodsDeclareTheirValueType() throws Exception {
    MethodContract names = ServiceContract.of(Calculator.class).method("names(java.util.Map)").orElseThrow();
    assertTrue(names.async());
    assertEquals("java.util.List<java.lang.String>", names.resultType().getTypeName());
    assertEquals(Void.class, ServiceContract.of(Calculator.class).method("reset()").orElseThrow().resultType());
  }

  @Test
  void defaultAndObjectMethodsAreNotRemote() throws Exception {
    ServiceContract contract = ServiceContract.of(Calculator.class);
    assertFalse(contract.method(Calculator.class.getMethod("twice", int.class)).isPresent());
    assertFalse(contract.method(Calculator.class.getMethod("toString")).isPresent());
    assertEquals(4, contract.methods().size());
  }

  @Test
  void badDeclarationsNameInterfaceAndMethod() {
    assertMessage(Generic.class, "Generic: generic service interfaces");
    assertMessage(GenericMethod.class, "GenericMethod.echo: generic methods");
    assertMessage(PlainFuture.class, "PlainFuture.later: asynchronous methods must return CompletableFuture<T>");
    assertMessage(RawFuture.class, "RawFuture.later: declare the result as CompletableFuture<T>");
    assertMessage(Wildcard.class, "Wildcard.take: the parameter type");
    assertMessage(String.class, "String: only interfaces");
  }

  private static void assertMessage(Class<?> type, String start) {
    InvalidServiceInterfaceException e = assertThrows(InvalidServiceInterfaceException.class, () -> ServiceContract.of(type));
    assertTrue(e.getMessage().startsWith(start), e.getMessage());
  }
}
