package io.warren.worker;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.concurrent.CompletableFuture;

/**
 * A consumer that completes {@code gone} once the library will deliver it nothing more: the
 * library delivers a cancel's ok, or the channel's shutdown, after every delivery before it.
 */
abstract class EndingConsumer extends DefaultConsumer {
  private final CompletableFuture<Void> gone;

  EndingConsumer(Channel channel, CompletableFuture<Void> gone) {
    super(channel);
    this.gone = gone;
  }

  @Override
  public void handleCancelOk(String tag) {
    gone.complete(null);
  }

  @Override
  public void handleCancel(String tag) {
    gone.complete(null);
  }

  @Override
  public void handleShutdownSignal(String tag, ShutdownSignalException cause) {
    gone.complete(null);
  }
}
