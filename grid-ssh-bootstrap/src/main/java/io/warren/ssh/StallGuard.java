package io.warren.ssh;

import com.jcraft.jsch.Channel;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Disconnects a channel that makes no progress for a while. JSch's SFTP reads and writes have no
 * deadline of their own: the session's server-alive probes end a session whose host is gone, but a
 * host whose sshd still answers while its {@code sftp-server} has stopped reading (a hung disk, say)
 * would hold a shipment for ever. Disconnecting the channel makes the blocked read or write throw,
 * so the shipment fails with an error that names the stall.
 *
 * <pre>{@code
 * try (StallGuard guard = new StallGuard(Duration.ofSeconds(60))) {
 *   guard.watch(channel);           // before connecting: the SFTP handshake can stall too
 *   ...; guard.progress(); ...      // whenever bytes move or an operation completes
 * } // and guard.tripped() tells a stall from any other failure
 * }</pre>
 */
final class StallGuard implements AutoCloseable {
  private static final ScheduledExecutorService CHECKS = Executors.newSingleThreadScheduledExecutor(run -> {
    Thread thread = new Thread(run, "warren-sftp-stall-guard");
    thread.setDaemon(true);
    return thread;
  });

  private final long limitNanos;
  /**
   * Stored once the constructor has scheduled the checks. A check that trips before then leaves the
   * schedule running, and every later check returns at once, as {@link #tripped} is set.
   */
  private volatile ScheduledFuture<?> checking;
  private volatile long lastProgress = System.nanoTime();
  private volatile Channel channel;
  private volatile boolean tripped;
  private volatile boolean closed;

  StallGuard(Duration limit) {
    this.limitNanos = limit.toNanos();
    long period = Math.max(10, Math.min(1_000, limit.toMillis() / 4));
    this.checking = CHECKS.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
  }

  /** The channel to disconnect on a stall. */
  void watch(Channel watched) {
    channel = watched;
  }

  /** Something moved: the stall clock starts again. */
  void progress() {
    lastProgress = System.nanoTime();
  }

  /** True once this guard has disconnected its channel. */
  boolean tripped() {
    return tripped;
  }

  private void check() {
    Channel watched = channel;
    if (closed || tripped || watched == null || System.nanoTime() - lastProgress <= limitNanos) {
      return;
    }
    tripped = true;
    ScheduledFuture<?> scheduled = checking;
    if (scheduled != null) {
      scheduled.cancel(false);
    }
    watched.disconnect();
  }

  @Override
  public void close() {
    closed = true; // a check already past its test may still disconnect: the channel is done with anyway
    ScheduledFuture<?> scheduled = checking;
    if (scheduled != null) {
      scheduled.cancel(false);
    }
  }
}
