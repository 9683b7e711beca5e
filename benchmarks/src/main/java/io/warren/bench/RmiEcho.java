package io.warren.bench;

import java.rmi.Remote;
import java.rmi.RemoteException;

/** The echo service over Java RMI on loopback: no broker, for reference. */
public interface RmiEcho extends Remote {
  byte[] echo(byte[] payload) throws RemoteException;
}
