package io.warren.cli;

import io.warren.grid.GridException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code warren} command. Errors a user can meet print one line and exit non-zero; stack
 * traces are for bugs only.
 */
@Command(
    name = "warren",
    mixinStandardHelpOptions = true,
    version = "warren 0.1.0",
    description = "A message-queue task grid for Java.",
    subcommands = {DemoCommand.class, UpCommand.class, StatusCommand.class, DownCommand.class, JobsCommand.class,
        JobCommand.class})
public final class WarrenMain {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code. */
  static int run(String... args) {
    CommandLine line = new CommandLine(new WarrenMain());
    line.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof GridException || e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
        cmd.getErr().println("warren: " + e.getMessage());
        return 1;
      }
      throw e;
    });
    return line.execute(args);
  }
}
