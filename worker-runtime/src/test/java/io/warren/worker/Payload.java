package io.warren.worker;

/** A service interface for worker tests whose results are as large as the caller asks. */
public interface Payload {
  /** {@code length} zero bytes. */
  byte[] zeros(int length);
}
