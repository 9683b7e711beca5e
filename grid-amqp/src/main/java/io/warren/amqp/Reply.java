package io.warren.amqp;

import com.rabbitmq.client.AMQP;
import io.warren.grid.BadRequestException;
import io.warren.grid.GridException;
import io.warren.grid.WireFormat;
import io.warren.grid.spi.Codec;
import io.warren.grid.spi.WireError;

/** A reply delivered to a client's reply queue. */
record Reply(AMQP.BasicProperties props, byte[] body) {

  String type() {
    return props.getType();
  }

  boolean isError() {
    return Protocol.STATUS_ERROR.equals(Messages.header(props, Protocol.H_STATUS));
  }

  /** The body of a successful reply; throws the carried error for an error reply. */
  byte[] bodyOrThrow() {
    if (isError()) {
      throw error();
    }
    return body;
  }

  /**
   * The body of a successful call reply, which must be in the request's {@code format} (a worker
   * answers in the format it was called in; no content type means JSON); throws the carried error
   * for an error reply.
   */
  byte[] bodyIn(WireFormat format) {
    byte[] ok = bodyOrThrow();
    String actual = props.getContentType();
    if (actual == null ? format != WireFormat.JSON : WireFormat.ofContentType(actual).orElse(null) != format) {
      throw new BadRequestException("the reply is in " + (actual == null ? "no content type (JSON)" : actual)
          + ", not in the request's " + format.contentType()
          + ": a worker must answer in the format it was called in (docs/protocol.md, Formats)");
    }
    return ok;
  }

  /** The exception an error reply carries. */
  GridException error() {
    WireError wire;
    try {
      wire = Codec.json().mapper().readValue(body, WireError.class);
    } catch (RuntimeException e) {
      return GridException.of(io.warren.grid.ErrorCode.BAD_REQUEST, "unreadable error reply: " + e.getMessage());
    }
    return wire.toException();
  }
}
