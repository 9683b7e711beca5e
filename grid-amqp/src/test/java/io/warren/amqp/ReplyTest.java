package io.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import io.warren.grid.BadRequestException;
import io.warren.grid.ErrorCode;
import io.warren.grid.UnknownMethodException;
import io.warren.grid.WireFormat;
import io.warren.grid.spi.Codec;
import io.warren.grid.spi.WireError;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A call's reply is read in the format the call was sent in, and only in that one. */
class ReplyTest {
  private static final byte[] BODY = {1, 2, 3};

  @Test
  void anOkReplyInTheRequestsFormatIsItsBody() {
    assertArrayEquals(BODY, ok("application/cbor").bodyIn(WireFormat.CBOR));
    assertArrayEquals(BODY, ok("application/json").bodyIn(WireFormat.JSON));
    assertArrayEquals(BODY, ok(null).bodyIn(WireFormat.JSON), "no content type means JSON");
    assertArrayEquals(BODY, ok("Application/CBOR; x=1").bodyIn(WireFormat.CBOR), "case and parameters do not matter");
  }

  @Test
  void anOkReplyInAnotherFormatIsABadRequestNamingBoth() {
    BadRequestException json = assertThrows(BadRequestException.class, () -> ok("application/json").bodyIn(WireFormat.CBOR));
    assertEquals("the reply is in application/json, not in the request's application/cbor: a worker must answer in"
        + " the format it was called in (docs/protocol.md, Formats)", json.getMessage());
    BadRequestException none = assertThrows(BadRequestException.class, () -> ok(null).bodyIn(WireFormat.CBOR));
    assertTrue(none.getMessage().startsWith("the reply is in no content type (JSON), not in the request's application/cbor"),
        none.getMessage());
    BadRequestException unknown = assertThrows(BadRequestException.class, () -> ok("text/plain").bodyIn(WireFormat.JSON));
    assertTrue(unknown.getMessage().startsWith("the reply is in text/plain, not in the request's application/json"),
        unknown.getMessage());
  }

  @Test
  void anErrorReplyThrowsItsErrorWhateverTheRequestsFormat() {
    byte[] error = Codec.json().mapper().writeValueAsBytes(WireError.of(ErrorCode.UNKNOWN_METHOD, "no such method"));
    Reply reply = new Reply(props(Protocol.STATUS_ERROR, "application/json"), error);
    UnknownMethodException thrown = assertThrows(UnknownMethodException.class, () -> reply.bodyIn(WireFormat.CBOR));
    assertEquals("no such method", thrown.getMessage());
  }

  private static Reply ok(String contentType) {
    return new Reply(props(Protocol.STATUS_OK, contentType), BODY);
  }

  private static AMQP.BasicProperties props(String status, String contentType) {
    return new AMQP.BasicProperties.Builder()
        .type(Protocol.T_REPLY)
        .contentType(contentType)
        .headers(Map.of(Protocol.H_STATUS, status))
        .build();
  }
}
