package io.warren.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Free TCP ports on 127.0.0.1, for servers that share the host's network (local processes and
 * host-networking containers alike).
 *
 * <pre>{@code
 * int[] ports = LoopbackPorts.free(3);   // distinct; bind them soon, another process may take them
 * }</pre>
 */
final class LoopbackPorts {
  private static final String HOST = "127.0.0.1";

  private LoopbackPorts() {}

  /** {@code count} distinct ports that were free on 127.0.0.1 a moment ago. */
  static int[] free(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      // All held open together, so they are distinct.
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getByName(HOST)));
      }
      return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + HOST, e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException e) {
          // Closing a listening socket that never accepted anything does not fail in practice.
        }
      }
    }
  }
}
