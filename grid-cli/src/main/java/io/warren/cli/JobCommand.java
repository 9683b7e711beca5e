package io.warren.cli;

import io.warren.grid.JobJournal;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code warren job ID}: one recorded job with every item's result or error. */
@Command(name = "job", mixinStandardHelpOptions = true, description = "Show one recorded job and its results.")
final class JobCommand implements Callable<Integer> {
  @Mixin JournalOption journal;

  @Parameters(index = "0", description = "The job id (see warren jobs).")
  String id;

  @Override
  public Integer call() {
    JobJournal.Entry e = journal.journal().read(id)
        .orElseThrow(() -> new IllegalArgumentException("no job '" + id + "' in the journal"));
    System.out.printf("job %s  %s  %s  %d/%d done  started %s%n", e.id(), e.kind(), e.status(), e.ended(), e.items().size(), e.created());
    for (JobJournal.Item item : e.items()) {
      String result = switch (item.state()) {
        case "OK" -> String.valueOf(item.value());
        case "FAILED" -> item.error();
        default -> "(running when last recorded)";
      };
      System.out.printf("  %-24s %-8s %s%n", item.label(), item.state(), result);
    }
    return 0;
  }
}
