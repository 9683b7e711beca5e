package io.warren.grid.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.warren.grid.ErrorCode;
import io.warren.grid.GridException;
import io.warren.grid.RemoteException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WireErrorTest {

  @Test
  void aFrameWithoutClassOrMethodStillGivesTheRemoteException() {
    String json = "{\"code\":\"REMOTE\",\"message\":\"boom\",\"remoteClass\":\"x.Boom\",\"stack\":["
        + "{\"className\":null,\"method\":\"run\",\"file\":\"A.java\",\"line\":3},"
        + "{\"className\":\"x.B\",\"method\":null,\"file\":null,\"line\":-1}]}";
    WireError wire = Codec.json().mapper().readValue(json.getBytes(StandardCharsets.UTF_8), WireError.class);

    GridException thrown = wire.toException();

    RemoteException remote = assertInstanceOf(RemoteException.class, thrown);
    assertEquals(ErrorCode.REMOTE, remote.code());
    assertEquals("x.Boom", remote.remoteClassName());
    assertEquals("boom", remote.remoteMessage());
    assertEquals(new StackTraceElement("unknown", "run", "A.java", 3), remote.remoteStack().get(0));
    assertEquals(new StackTraceElement("x.B", "unknown", null, -1), remote.remoteStack().get(1));
  }
}
