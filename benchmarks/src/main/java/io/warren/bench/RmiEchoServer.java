package io.warren.bench;

import java.rmi.NoSuchObjectException;
import java.rmi.RemoteException;
import java.rmi.server.UnicastRemoteObject;

/** An RMI echo object exported on an anonymous loopback port of this JVM; calls go through TCP. */
final class RmiEchoServer implements RmiEcho, AutoCloseable {
  private final RmiEcho stub;

  RmiEchoServer() throws RemoteException {
    System.setProperty("java.rmi.server.hostname", "127.0.0.1");
    stub = (RmiEcho) UnicastRemoteObject.exportObject(this, 0);
  }

  RmiEcho stub() {
    return stub;
  }

  @Override
  public byte[] echo(byte[] payload) {
    return payload;
  }

  @Override
  public void close() throws NoSuchObjectException {
    UnicastRemoteObject.unexportObject(this, true);
  }
}
