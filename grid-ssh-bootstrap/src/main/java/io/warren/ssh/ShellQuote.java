package io.warren.ssh;

import java.util.List;
import java.util.stream.Collectors;

/** Quoting for POSIX sh, so no argument is ever split or expanded by the remote shell. */
final class ShellQuote {
  private ShellQuote() {}

  /** {@code value} as one sh word: single-quoted, with embedded single quotes spliced in. */
  static String quote(String value) {
    if (!value.isEmpty() && value.matches("[A-Za-z0-9_@%+=:,./-]+")) {
      return value; // nothing the shell would touch
    }
    return "'" + value.replace("'", "'\"'\"'") + "'";
  }

  /**
   * A remote path as one sh word, quoted as by {@link #quote} except that a leading {@code ~/} (or a
   * lone {@code ~}) stands for the login home, as when typed into ssh: a quoted {@code ~} is not
   * expanded, and a command run in the work dir would take it for a directory named {@code ~} there.
   */
  static String path(String value) {
    if (value.equals("~")) {
      return "\"$HOME\"";
    }
    return value.startsWith("~/") ? "\"$HOME\"/" + quote(value.substring(2)) : quote(value);
  }

  /** Each of {@code words} quoted, joined by spaces. */
  static String join(List<String> words) {
    return words.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
  }

  /**
   * {@code value} as one token of a java {@code @argfile}: double-quoted with backslash escapes,
   * as the java launcher reads them.
   */
  static String argfileToken(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r")
        .replace("\t", "\\t") + "\"";
  }
}
