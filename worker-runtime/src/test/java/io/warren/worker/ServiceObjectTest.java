package io.warren.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.grid.ErrorCode;
import io.warren.grid.spi.Codec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ServiceObjectTest {
  /** A base class's interface: not part of what the service publishes. */
  public static class Resource implements AutoCloseable {
    boolean closed;

    @Override
    public void close() {
      closed = true;
    }
  }

  /** Publishes {@link Counter}, and inherits {@link AutoCloseable} from its base class. */
  public static final class ClosableCounter extends Resource implements Counter {
    @Override
    public int next() {
      return 1;
    }
  }

  @Test
  void onlyTheInterfacesTheClassDeclaresAreCallableNotThoseOfItsBaseClasses() {
    ClosableCounter service = new ClosableCounter();
    ServiceObject hosted = new ServiceObject(service);

    ServiceObject.Prepared close = hosted.prepare(Codec.json(), call("java.lang.AutoCloseable", "close()"));
    assertEquals(ErrorCode.UNKNOWN_METHOD, close.error().code());
    assertTrue(close.error().message().contains("java.lang.AutoCloseable"), close.error().message());

    ServiceObject.Prepared next = hosted.prepare(Codec.json(), call(Counter.class.getName(), "next()"));
    assertNull(next.error(), "the published interface is callable");
  }

  private static io.warren.grid.spi.CallMessage call(String interfaceName, String signature) {
    long deadline = System.currentTimeMillis() + 60_000;
    String body = "[\"" + interfaceName + "\",\"" + signature + "\"," + deadline + ",null,0,[]]";
    return Codec.json().readCall(body.getBytes(StandardCharsets.UTF_8));
  }
}
