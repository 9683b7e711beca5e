package io.warren.ssh;

/**
 * What a remote command did, as a value (the shape of Testcontainers' {@code ExecResult}).
 *
 * @param exitCode the command's exit status (-1 if the channel closed without one)
 * @param stdout its standard output, UTF-8
 * @param stderr its standard error, UTF-8
 */
record RemoteResult(int exitCode, String stdout, String stderr) {
  boolean ok() {
    return exitCode == 0;
  }

  /** stderr, else stdout, trimmed: what to show when the command failed. */
  String diagnostics() {
    String text = stderr.isBlank() ? stdout : stderr;
    return text.strip().isEmpty() ? "exit status " + exitCode : text.strip() + " (exit status " + exitCode + ")";
  }
}
