package io.warren.cli;

import io.warren.grid.JobJournal;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the job journal is: {@code --journal DIR}, else {@code $WARREN_HOME/jobs} or {@code ~/.warren/jobs}. */
final class JournalOption {
  @Option(names = "--journal", description = "Job journal directory (default $WARREN_HOME/jobs or ~/.warren/jobs).")
  Path directory;

  JobJournal journal() {
    return JobJournal.at(directory != null ? directory : JobJournal.defaultDirectory());
  }
}
