package io.warren.worker;

/** The published implementation of {@link Payload}. */
public final class PayloadService implements Payload {
  @Override
  public byte[] zeros(int length) {
    return new byte[length];
  }
}
