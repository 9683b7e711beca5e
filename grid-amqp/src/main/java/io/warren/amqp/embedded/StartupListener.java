package io.warren.amqp.embedded;

import java.util.List;
import org.apache.qpid.server.SystemLauncherListener;
import org.apache.qpid.server.model.Broker;
import org.apache.qpid.server.model.Port;
import org.apache.qpid.server.model.State;
import org.apache.qpid.server.model.SystemConfig;
import org.apache.qpid.server.model.port.AmqpPort;

/**
 * Watches one Qpid {@code SystemLauncher} start, so that its outcome can be read afterwards.
 *
 * <pre>{@code
 * StartupListener listener = new StartupListener();
 * new SystemLauncher(listener).startup(attributes);
 * int port = listener.boundAmqpPort();   // throws if the broker or its port did not come up
 * }</pre>
 *
 * <p>Needed because {@code SystemLauncher.startup} does not rethrow a failure: it logs it, tells the
 * listener and returns normally.
 */
final class StartupListener extends SystemLauncherListener.DefaultSystemLauncherListener {
  // Written on the launcher's thread during startup, read by the starting thread after it returns.
  private volatile SystemConfig<?> systemConfig;
  private volatile RuntimeException failure;

  @Override
  public void onContainerResolve(SystemConfig<?> config) {
    systemConfig = config;
  }

  @Override
  public void errorOnStartup(RuntimeException e) {
    failure = e;
  }

  /**
   * The port the broker's only AMQP port is bound to.
   *
   * @throws IllegalStateException if startup failed, the broker is not active or its AMQP port is
   *     not listening (for instance when the address cannot be bound)
   */
  int boundAmqpPort() {
    if (failure != null) {
      throw new IllegalStateException("startup failed: " + failure, failure);
    }
    if (systemConfig == null) {
      throw new IllegalStateException("startup did not resolve a broker");
    }
    if (!(systemConfig.getContainer() instanceof Broker<?> broker) || broker.getState() != State.ACTIVE) {
      throw new IllegalStateException("broker is not active: " + systemConfig.getContainer());
    }
    List<AmqpPort<?>> ports = broker.getChildren(Port.class).stream()
        .filter(AmqpPort.class::isInstance)
        .<AmqpPort<?>>map(port -> (AmqpPort<?>) port)
        .toList();
    if (ports.size() != 1) {
      throw new IllegalStateException("expected one AMQP port, found " + ports.size());
    }
    AmqpPort<?> port = ports.get(0);
    if (port.getState() != State.ACTIVE || port.getBoundPort() <= 0) {
      throw new IllegalStateException("AMQP port is " + port.getState() + ", bound to " + port.getBoundPort());
    }
    return port.getBoundPort();
  }
}
