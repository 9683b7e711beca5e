package io.warren.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Stopping a farm: every host's stop runs at once, however many hosts and client cores there are. */
class FarmWorkersTest {

  @Test
  void closeStopsEveryHostAtOnceWithMoreHostsThanTheCommonPoolHasThreads() throws Exception {
    int hosts = Math.max(2, ForkJoinPool.getCommonPoolParallelism()) + 2;
    CountDownLatch allStopping = new CountDownLatch(hosts);
    CountDownLatch release = new CountDownLatch(1);
    Set<String> stopped = ConcurrentHashMap.newKeySet();
    List<HostWorker> workers = new ArrayList<>();
    for (int i = 0; i < hosts; i++) {
      workers.add(new BlockingStop("h" + i, allStopping, release, stopped));
    }
    FarmWorkers farm = new FarmWorkers(workers, List.of(), hosts, Duration.ofSeconds(30), false);
    Thread closing = new Thread(farm::close, "closing the farm");
    closing.start();
    try {
      // Each stop holds its thread until released, as a real one does for up to the grace period.
      boolean allAtOnce = allStopping.await(30, TimeUnit.SECONDS);
      assertTrue(allAtOnce, (hosts - allStopping.getCount()) + " of " + hosts + " stops in progress at once");
    } finally {
      release.countDown();
      closing.join();
    }
    assertEquals(hosts, stopped.size());
  }

  /** A worker whose stop waits, once begun, until the test releases it. */
  private static final class BlockingStop extends HostWorker {
    private final CountDownLatch stopping;
    private final CountDownLatch release;
    private final Set<String> stopped;

    BlockingStop(String host, CountDownLatch stopping, CountDownLatch release, Set<String> stopped) {
      super(HostSpec.builder(host).build(), "ssh-" + host + "-aaa111", 1, null, null, null);
      this.stopping = stopping;
      this.release = release;
      this.stopped = stopped;
    }

    @Override
    void stop(Duration grace, boolean cleanWorkDir) {
      stopping.countDown();
      try {
        release.await();
        stopped.add(spec.name());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
