package io.warren.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TaskLoopTest {
  private record Ran(String task, String thread) {}

  private final LinkedBlockingQueue<Ran> ran = new LinkedBlockingQueue<>();

  private TaskLoop<String> loop(String... loopOnly) {
    List<String> onLoop = List.of(loopOnly);
    TaskLoop<String> loop = new TaskLoop<>("test-loop", task -> {
      ran.add(new Ran(task, Thread.currentThread().getName()));
      return task.equals("stop");
    }, onLoop::contains, (task, e) -> { });
    loop.start();
    return loop;
  }

  @Test
  void aHotTaskRunsOnTheThreadThatBringsItWhenTheLoopIsFree() throws Exception {
    TaskLoop<String> loop = loop();
    loop.runHere("delivery");
    Ran first = ran.poll(5, TimeUnit.SECONDS);
    assertEquals(new Ran("delivery", Thread.currentThread().getName()), first);
  }

  @Test
  void loopOnlyAndPostedTasksRunOnTheLoopThreadInOrder() throws Exception {
    TaskLoop<String> loop = loop("a", "b", "cancel");
    loop.post("a");
    loop.post("b");
    loop.runHere("cancel");
    List<Ran> runs = take(3);
    assertEquals(List.of("a", "b", "cancel"), runs.stream().map(Ran::task).toList());
    assertTrue(runs.stream().allMatch(r -> r.thread().equals("test-loop")), runs.toString());
  }

  @Test
  void tasksNeverRunAtTheSameTimeAndNoneIsLeftBehind() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger count = new AtomicInteger();
    TaskLoop<String> loop = new TaskLoop<>("test-loop", task -> {
      if (inside.incrementAndGet() > 1) {
        overlaps.incrementAndGet();
      }
      count.incrementAndGet();
      inside.decrementAndGet();
      return false;
    }, task -> task.startsWith("p"), (task, e) -> { });
    loop.start();
    int threads = 4;
    int each = 5_000;
    CountDownLatch done = new CountDownLatch(threads);
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      producers.add(new Thread(() -> {
        for (int i = 0; i < each; i++) {
          if (id == 0 && i % 10 == 0) {
            loop.post("p" + i);
          } else {
            loop.runHere("h" + i);
          }
        }
        done.countDown();
      }));
    }
    producers.forEach(Thread::start);
    assertTrue(done.await(20, TimeUnit.SECONDS));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (count.get() < threads * each && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(threads * each, count.get());
    assertEquals(0, overlaps.get());
  }

  @Test
  void aStoppedLoopRunsNothingMore() throws Exception {
    TaskLoop<String> loop = loop();
    loop.post("stop");
    assertEquals("stop", ran.poll(5, TimeUnit.SECONDS).task());
    loop.runHere("late");
    loop.post("later");
    assertEquals(null, ran.poll(200, TimeUnit.MILLISECONDS));
    assertEquals("late", loop.poll());
    assertEquals("later", loop.poll());
    assertEquals(null, loop.poll());
  }

  private List<Ran> take(int n) throws InterruptedException {
    List<Ran> runs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Ran run = ran.poll(5, TimeUnit.SECONDS);
      if (run == null) {
        break;
      }
      runs.add(run);
    }
    return runs;
  }
}
