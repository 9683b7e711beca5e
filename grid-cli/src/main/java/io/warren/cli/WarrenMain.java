package io.warren.cli;

import io.warren.grid.GridException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
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
      if (e instanceof IOException || e instanceof UncheckedIOException) {
        cmd.getErr().println("warren: " + describe(e)); // a missing or unreadable file is the user's to fix
        return 1;
      }
      throw e;
    });
    return line.execute(args);
  }

  /**
   * An I/O error in one line naming its file: the JDK's file exceptions carry only the path as their
   * message, and UncheckedIOException(cause) only the cause's class and message.
   */
  static String describe(Exception e) {
    if (e instanceof UncheckedIOException unchecked && e.getMessage().equals(String.valueOf(e.getCause()))) {
      return describe(unchecked.getCause());
    }
    if (e instanceof NoSuchFileException missing) {
      return "no such file: " + missing.getFile();
    }
    if (e instanceof AccessDeniedException denied) {
      return "permission denied: " + denied.getFile();
    }
    return e.getMessage();
  }
}
