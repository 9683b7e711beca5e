package io.warren.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobTest {
  @TempDir Path dir;

  record Point(int x, int y) {}

  @Test
  void statusMovesFromRunningThroughPartialToFinishedOrFailed() {
    CompletableFuture<Point> a = new CompletableFuture<>();
    CompletableFuture<Point> b = new CompletableFuture<>();
    Job<Point> ok = Job.track("map", List.of("a", "b"), List.of(a, b), null);
    assertEquals(JobStatus.RUNNING, ok.status());
    a.complete(new Point(1, 2));
    assertEquals(JobStatus.PARTIAL, ok.status());
    assertNull(ok.outcomes().get(1));
    b.complete(new Point(3, 4));
    assertEquals(JobStatus.FINISHED, ok.status());
    assertTrue(ok.done().isDone());

    CompletableFuture<Point> c = new CompletableFuture<>();
    Job<Point> bad = Job.track("broadcast", List.of("instance 0"), List.of(c), null);
    c.completeExceptionally(new RemoteException("java.lang.IllegalStateException", "boom", List.of()));
    assertEquals(JobStatus.FAILED, bad.status());
    assertEquals(1, bad.done().join().size());
  }

  @Test
  void aListenerThatThrowsNeitherStopsTheJobNorKeepsItFromEnding() {
    CompletableFuture<Point> a = new CompletableFuture<>();
    CompletableFuture<Point> b = new CompletableFuture<>();
    int[] told = {0};
    Job<Point> job = Job.track("map", List.of("a", "b"), List.of(a, b), j -> {
      if (++told[0] > 1) {
        throw new java.io.UncheckedIOException(new java.io.IOException("No space left on device"));
      }
    });
    a.complete(new Point(1, 2));
    b.complete(new Point(3, 4));
    assertEquals(3, told[0], "told at the start and after each item, though it threw");
    assertTrue(job.done().isDone(), "done() completes although the listener threw on the last item");
    assertEquals(new Point(3, 4), job.done().join().get(1).value());
    assertEquals(JobStatus.FINISHED, job.status());
  }

  @Test
  void theJournalKeepsEveryItemsResultAfterTheJobEnds() {
    JobJournal journal = JobJournal.at(dir);
    CompletableFuture<Point> a = new CompletableFuture<>();
    CompletableFuture<Point> b = new CompletableFuture<>();
    Job<Point> job = Job.track("scatter", List.of("instance 0: 1", "instance 1: 2"), List.of(a, b), journal::record);
    assertEquals(JobStatus.RUNNING, journal.read(job.id()).orElseThrow().status());
    a.complete(new Point(5, 6));
    assertEquals(JobStatus.PARTIAL, journal.read(job.id()).orElseThrow().status());
    b.completeExceptionally(new IllegalStateException("disk full"));

    JobJournal.Entry entry = JobJournal.at(dir).read(job.id()).orElseThrow(); // as another process reads it
    assertEquals(JobStatus.FAILED, entry.status());
    assertEquals("scatter", entry.kind());
    assertEquals(Map.of("x", 5, "y", 6), entry.items().get(0).value());
    assertEquals("IllegalStateException: disk full", entry.items().get(1).error());
    assertEquals(List.of(job.id()), journal.list().stream().map(JobJournal.Entry::id).toList());
    assertTrue(journal.read("../../etc/passwd").isEmpty(), "ids never name files outside the journal");
  }
}
