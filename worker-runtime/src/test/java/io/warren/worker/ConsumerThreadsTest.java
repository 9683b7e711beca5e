package io.warren.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ConsumerThreadsTest {
  private final ConsumerThreads threads = new ConsumerThreads("test-consumer-");
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    threads.shutdown();
  }

  /** Submits {@code count} tasks that block until the test ends; returns once all have started. */
  private CountDownLatch block(int count) {
    CountDownLatch started = new CountDownLatch(count);
    for (int i = 0; i < count; i++) {
      threads.executor().execute(() -> {
        started.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
    return started;
  }

  @Test
  void everyInstanceGetsItsThreadsBesideTheSpareOnes() throws Exception {
    int instances = 3;
    threads.fit(instances);
    int size = ConsumerThreads.SPARE_THREADS + ConsumerThreads.THREADS_PER_INSTANCE * instances;
    assertTrue(block(size).await(10, TimeUnit.SECONDS), "all " + size + " blocked tasks run at once");
    assertEquals(size, threads.threads());
    block(1);
    assertEquals(1, threads.waiting(), "one more waits: the pool is sized, not unbounded");
  }

  @Test
  void growingThePoolStartsTasksThatWereWaiting() throws Exception {
    assertTrue(block(ConsumerThreads.SPARE_THREADS).await(10, TimeUnit.SECONDS));
    CountDownLatch late = block(1);
    assertEquals(1, threads.waiting());
    threads.fit(1); // an instance arrives: its threads start at once and take what waits
    assertTrue(late.await(10, TimeUnit.SECONDS), "the waiting task got one of the new threads");
  }

  @Test
  void threadsAreNamedDaemonsWithTheCreatorsClassLoader() throws Exception {
    List<Thread> seen = new CopyOnWriteArrayList<>();
    CountDownLatch ran = new CountDownLatch(1);
    threads.executor().execute(() -> {
      seen.add(Thread.currentThread());
      ran.countDown();
    });
    assertTrue(ran.await(10, TimeUnit.SECONDS));
    Thread thread = seen.get(0);
    assertTrue(thread.getName().startsWith("test-consumer-"), thread.getName());
    assertTrue(thread.isDaemon());
    assertEquals(Thread.currentThread().getContextClassLoader(), thread.getContextClassLoader());
  }
}
