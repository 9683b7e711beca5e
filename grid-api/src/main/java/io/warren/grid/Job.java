package io.warren.grid;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A batch of calls tracked as one unit: an id, a status that moves RUNNING → PARTIAL → FINISHED
 * (or FAILED), and each item's {@link Outcome} as it arrives. A {@link JobJournal} can record it so
 * the results can be read after the client exits ({@code warren jobs}, {@code warren job ID}).
 *
 * <pre>{@code
 * Job<Stats> job = Job.track("scan", labels, calls);      // calls: one future per item
 * job.done().join();                                       // every item's outcome, in order
 * job.status();                                            // FINISHED or FAILED
 * }</pre>
 *
 * <p>Thread-safe. Items keep their order; one failure does not cut the others short.
 *
 * @param <R> the items' result type
 */
public final class Job<R> {
  private final String id;
  private final String kind;
  private final Instant created = Instant.now();
  private final List<String> labels;
  private final List<Outcome<R>> outcomes;
  private final CompletableFuture<List<Outcome<R>>> done = new CompletableFuture<>();
  private static final System.Logger LOG = System.getLogger(Job.class.getName());
  private final List<Consumer<Job<R>>> listeners = new ArrayList<>();
  private int ended;
  private int failed;

  private Job(String kind, List<String> labels) {
    this.id = UUID.randomUUID().toString().substring(0, 8);
    this.kind = requireNonNull(kind, "kind == null");
    this.labels = List.copyOf(labels);
    this.outcomes = new ArrayList<>(Collections.nCopies(labels.size(), null));
  }

  /**
   * Tracks {@code calls}, one per item, labelled for people (e.g. {@code "instance 2"} or the item
   * itself). {@code onChange} (may be null) runs after each item ends, e.g. to journal the job.
   */
  public static <R> Job<R> track(String kind, List<String> labels, List<? extends CompletableFuture<? extends R>> calls,
      Consumer<Job<R>> onChange) {
    if (labels.size() != calls.size()) {
      throw new IllegalArgumentException("one label per call: " + labels.size() + " labels, " + calls.size() + " calls");
    }
    Job<R> job = new Job<>(kind, labels);
    if (onChange != null) {
      job.listeners.add(onChange);
      onChange.accept(job);
    }
    if (calls.isEmpty()) {
      job.done.complete(List.of());
    }
    for (int i = 0; i < calls.size(); i++) {
      int index = i;
      calls.get(i).whenComplete((value, failure) -> job.end(index, failure == null
          ? new Outcome.Success<>(value)
          : new Outcome.Failure<>(failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
              ? failure.getCause() : failure)));
    }
    return job;
  }

  private void end(int index, Outcome<R> outcome) {
    List<Consumer<Job<R>>> notify;
    boolean finished;
    synchronized (this) {
      outcomes.set(index, outcome);
      ended++;
      failed += outcome.isSuccess() ? 0 : 1;
      finished = ended == outcomes.size();
      notify = List.copyOf(listeners);
    }
    try {
      notify.forEach(this::tell);
    } finally {
      if (finished) {
        done.complete(outcomes());
      }
    }
  }

  /**
   * Runs one listener. A listener that throws (the journal on a full disk) is logged and does not
   * stop the others or the job's end: its outcomes are the calls', and {@link #done()} must complete.
   */
  private void tell(Consumer<Job<R>> listener) {
    try {
      listener.accept(this);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "a listener of job " + id + " failed; the job goes on", e);
    }
  }

  /** The job's short id. */
  public String id() {
    return id;
  }

  /** What kind of batch it is: {@code broadcast}, {@code scatter}, {@code map}, or a caller's word. */
  public String kind() {
    return kind;
  }

  /** When it was started. */
  public Instant created() {
    return created;
  }

  /** One label per item. */
  public List<String> labels() {
    return labels;
  }

  /** The current status. */
  public synchronized JobStatus status() {
    if (ended == 0 && !outcomes.isEmpty()) {
      return JobStatus.RUNNING;
    }
    if (ended < outcomes.size()) {
      return JobStatus.PARTIAL;
    }
    return failed == 0 ? JobStatus.FINISHED : JobStatus.FAILED;
  }

  /** Items ended so far. */
  public synchronized int ended() {
    return ended;
  }

  /** The outcome of each item so far, in order; null for items still running. */
  public synchronized List<Outcome<R>> outcomes() {
    return Collections.unmodifiableList(new ArrayList<>(outcomes));
  }

  /** Completes with every item's outcome when the last one ends. */
  public CompletableFuture<List<Outcome<R>>> done() {
    return done;
  }
}
