package io.warren.grid.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The callback pool keeps the contract of the cached pool it replaced: callbacks may block, on each
 * other included. The bounds below only detect a deadlock; nothing here measures speed.
 */
class CallbackPoolTest {
  private static final long DEADLOCK_SECONDS = 30;
  /** Far more blocked callbacks than the pool's parallelism (at least 2, here the machine's cores). */
  private static final int WAITERS = 4 * Math.max(2, Runtime.getRuntime().availableProcessors()) + 8;

  private final ExecutorService pool = CallbackPool.create();

  @AfterEach
  void shutDown() {
    pool.shutdownNow();
  }

  @Test
  void callbacksThatJoinFuturesCompletedByLaterCallbacksDoNotDeadlock() throws Exception {
    CompletableFuture<String> released = new CompletableFuture<>();
    List<CompletableFuture<String>> waiters = new ArrayList<>();
    for (int i = 0; i < WAITERS; i++) {
      // Like a callback making a synchronous proxy call or joining another grid future.
      waiters.add(CompletableFuture.supplyAsync(released::join, pool));
    }
    // Queued behind every waiter: it runs only if the pool adds threads while they wait.
    CompletableFuture.runAsync(() -> released.complete("released"), pool);
    CompletableFuture.allOf(waiters.toArray(CompletableFuture[]::new)).get(DEADLOCK_SECONDS, TimeUnit.SECONDS);
    waiters.forEach(w -> assertEquals("released", w.join()));
  }

  @Test
  void callbacksThatWaitWithGetLikeASyncCallDoNotDeadlock() throws Exception {
    CompletableFuture<byte[]> reply = new CompletableFuture<>();
    List<CompletableFuture<Integer>> waiters = new ArrayList<>();
    for (int i = 0; i < WAITERS; i++) {
      waiters.add(CompletableFuture.supplyAsync(() -> Futures.await(reply).length, pool));
    }
    CompletableFuture.runAsync(() -> reply.complete(new byte[3]), pool);
    CompletableFuture.allOf(waiters.toArray(CompletableFuture[]::new)).get(DEADLOCK_SECONDS, TimeUnit.SECONDS);
    waiters.forEach(w -> assertEquals(3, w.join()));
  }

  @Test
  void aCallbackBlockedOnSomethingElseDoesNotStopTheOthers() throws Exception {
    CountDownLatch otherCallbackRan = new CountDownLatch(1);
    // A plain latch: blocking the pool cannot see, so no spare thread is started for it.
    CompletableFuture<Boolean> blocked = CompletableFuture.supplyAsync(() -> {
      try {
        return otherCallbackRan.await(DEADLOCK_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }, pool);
    CompletableFuture.runAsync(otherCallbackRan::countDown, pool).get(DEADLOCK_SECONDS, TimeUnit.SECONDS);
    assertTrue(blocked.get(DEADLOCK_SECONDS, TimeUnit.SECONDS), "the blocked callback saw the other one run");
  }

  @Test
  void threadsAreNamedDaemonsWithTheCreatorsClassLoader() throws Exception {
    ClassLoader creators = new URLClassLoader(new URL[0], getClass().getClassLoader());
    Thread creator = Thread.currentThread();
    ClassLoader before = creator.getContextClassLoader();
    ExecutorService own;
    creator.setContextClassLoader(creators);
    try {
      own = CallbackPool.create();
    } finally {
      creator.setContextClassLoader(before);
    }
    try {
      Thread thread = CompletableFuture.supplyAsync(Thread::currentThread, own).get(DEADLOCK_SECONDS, TimeUnit.SECONDS);
      assertTrue(thread.getName().startsWith("warren-callback-"), thread.getName());
      assertTrue(thread.isDaemon(), "a callback thread must not keep the JVM alive");
      assertEquals(creators, thread.getContextClassLoader());
    } finally {
      own.shutdownNow();
    }
  }
}
