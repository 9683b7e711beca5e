package io.warren.grid;

import static java.util.Objects.requireNonNull;

import io.warren.grid.spi.Codec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A local record of jobs and their results, one JSON file per job, rewritten (atomically) as items
 * end; the caller keeps its results so it can read them later without asking the hosts again.
 *
 * <pre>{@code
 * JobJournal journal = JobJournal.at(JobJournal.defaultDirectory());
 * Job<Stats> job = Job.track("scan", labels, calls, journal::record);
 * ...
 * journal.list();             // every recorded job, newest first
 * journal.read(job.id());     // one job with its results
 * }</pre>
 *
 * Results are stored as JSON trees of whatever the calls returned; failures as their class and
 * message. Thread-safe for one process; the files are the interface between processes.
 */
public final class JobJournal {
  private final Path directory;

  private JobJournal(Path directory) {
    this.directory = directory;
  }

  /** A journal in {@code directory} (created on first write). */
  public static JobJournal at(Path directory) {
    return new JobJournal(requireNonNull(directory, "directory == null"));
  }

  /** {@code $WARREN_HOME/jobs}, or {@code ~/.warren/jobs}. */
  public static Path defaultDirectory() {
    String home = System.getenv("WARREN_HOME");
    return home != null ? Path.of(home, "jobs") : Path.of(System.getProperty("user.home"), ".warren", "jobs");
  }

  /** One item as recorded: its label, whether it succeeded, its value (JSON) or its error. */
  public record Item(String label, String state, Object value, String error) {}

  /** A job as recorded. */
  public record Entry(String id, String kind, Instant created, JobStatus status, int ended, List<Item> items) {
    public Entry {
      items = List.copyOf(items);
    }
  }

  /** Writes the job's current state; usable as a {@link Job} change listener. */
  public synchronized void record(Job<?> job) {
    List<Item> items = new ArrayList<>();
    List<? extends Outcome<?>> outcomes = job.outcomes();
    for (int i = 0; i < outcomes.size(); i++) {
      Outcome<?> outcome = outcomes.get(i);
      String label = job.labels().get(i);
      if (outcome == null) {
        items.add(new Item(label, "RUNNING", null, null));
      } else if (outcome.isSuccess()) {
        items.add(new Item(label, "OK", Codec.json().mapper().valueToTree(outcome.value()), null));
      } else {
        Throwable failure = outcome.failure();
        items.add(new Item(label, "FAILED", null, failure.getClass().getSimpleName() + ": " + failure.getMessage()));
      }
    }
    Entry entry = new Entry(job.id(), job.kind(), job.created(), job.status(), job.ended(), items);
    try {
      Files.createDirectories(directory);
      Path target = directory.resolve(job.id() + ".json");
      Path temporary = directory.resolve(job.id() + ".json.tmp");
      Files.write(temporary, Codec.json().mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(entry));
      try {
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the job journal in " + directory, e);
    }
  }

  /** Every recorded job, newest first. */
  public List<Entry> list() {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".json"))
          .map(this::load)
          .sorted(Comparator.comparing(Entry::created).reversed())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the job journal in " + directory, e);
    }
  }

  /** One recorded job. */
  public Optional<Entry> read(String id) {
    if (!id.matches("[A-Za-z0-9-]{1,64}")) {
      return Optional.empty(); // never a path outside the journal
    }
    Path file = directory.resolve(id + ".json");
    return Files.isRegularFile(file) ? Optional.of(load(file)) : Optional.empty();
  }

  private Entry load(Path file) {
    try {
      return Codec.json().mapper().readValue(Files.readAllBytes(file), Entry.class);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("unreadable job file " + file + ": " + e.getMessage(), e);
    }
  }
}
