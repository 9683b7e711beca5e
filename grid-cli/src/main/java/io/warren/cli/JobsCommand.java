package io.warren.cli;

import io.warren.grid.JobJournal;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code warren jobs}: the jobs in the local journal, newest first. */
@Command(name = "jobs", mixinStandardHelpOptions = true, description = "List recorded jobs, newest first.")
final class JobsCommand implements Callable<Integer> {
  @Mixin JournalOption journal;

  @Override
  public Integer call() {
    List<JobJournal.Entry> entries = journal.journal().list();
    if (entries.isEmpty()) {
      System.out.println("no jobs recorded");
      return 0;
    }
    System.out.println("  job       kind                  status     done  started");
    for (JobJournal.Entry e : entries) {
      System.out.printf("  %-8s  %-20s  %-9s  %2d/%-2d  %s%n", e.id(), e.kind(), e.status(), e.ended(), e.items().size(), e.created());
    }
    return 0;
  }
}
