package io.warren.bench;

import io.warren.grid.spi.MethodContract;
import io.warren.grid.spi.ServiceContract;

/** {@code Echo.echo(byte[])} as Warren's codec sees it: for code that encodes its messages without a grid. */
final class EchoContract {
  /** The parsed contract of {@link Echo#echo(byte[])}. */
  static final MethodContract ECHO = ServiceContract.of(Echo.class).methods().stream()
      .filter(m -> m.method().getName().equals("echo")).findFirst().orElseThrow();

  private EchoContract() {}
}
