package io.warren.ssh;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * What a host's login shell makes of Warren's commands. sshd hands every command to the login user's
 * shell ({@code $SHELL -c command}), and Warren's commands are POSIX sh. A POSIX shell runs them as
 * written, with what its rc files define, so a host's {@code init} commands can use those. Any other
 * shell (zsh, csh, tcsh, fish) gets each command wrapped ({@link #wrap}): it starts {@code /bin/sh}
 * with the command, and the environment its rc files exported carries over. Not as written: tcsh
 * knows neither {@code { ...; }} nor {@code $(...)}, and zsh fails a command whose glob matches
 * nothing (a run directory without pid files, for one).
 *
 * <pre>
 * RemoteResult probed = ...; // NAME_PROBE, sent as written: every shell parses it
 * boolean posix = probed.ok() &amp;&amp; LoginShell.runsPosixCommands(probed.stdout());
 * String command = posix ? script : LoginShell.wrap(script);
 * </pre>
 */
final class LoginShell {
  /**
   * Prints the shell's name as sshd started it ({@code $0}: {@code bash}, {@code tcsh}): what the
   * user's rc files may have put in {@code $SHELL} does not count. Plain enough for every shell to
   * parse; fish prints an empty line for it, and so counts as not POSIX.
   */
  static final String NAME_PROBE = "echo \"$0\"";

  /** Shells that run POSIX sh as written. zsh is not one: it fails a glob that matches nothing. */
  private static final Set<String> POSIX = Set.of("sh", "bash", "dash", "ash", "ksh", "ksh93", "mksh", "pdksh");

  private LoginShell() {}

  /**
   * True when {@code probed}, the output of {@link #NAME_PROBE}, names a POSIX shell. Its last line
   * counts: rc files may print before it.
   */
  static boolean runsPosixCommands(String probed) {
    String[] lines = probed.strip().split("\n");
    String name = lines[lines.length - 1].strip();
    name = name.substring(name.lastIndexOf('/') + 1);
    if (name.startsWith("-")) {
      name = name.substring(1); // a login shell's argv[0]
    }
    return POSIX.contains(name);
  }

  /**
   * What {@code probed}, the output of {@link #NAME_PROBE}, holds before the shell's name: text the
   * login shell's rc files print ahead of every command, or "" when they print nothing. SFTP cannot
   * work through such text (sshd starts the SFTP server through the login shell, and the client
   * reads the greeting as its first packet).
   */
  static String greeting(String probed) {
    String text = probed.strip();
    int last = text.lastIndexOf('\n');
    return last < 0 ? "" : text.substring(0, last).strip();
  }

  /**
   * {@code script} as a command that any login shell hands to {@code /bin/sh} unchanged. The
   * script travels inside one single-quoted word that holds no character any shell treats
   * specially there (csh ends such a word at a newline and fish reads backslash escapes in it): each
   * such character, and every byte outside printable ASCII, is written as a {@code printf %b} octal
   * escape, which sh decodes back before running the script.
   */
  static String wrap(String script) {
    StringBuilder encoded = new StringBuilder(script.length() + 64);
    for (byte b : script.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && "'\\\"$`!".indexOf(c) < 0) {
        encoded.append((char) c);
      } else {
        encoded.append("\\0").append(Integer.toOctalString(c | 0x200).substring(1)); // \0ooo: three digits
      }
    }
    return "exec /bin/sh -c 'eval \"$(printf %b \"" + encoded + "\")\"'";
  }
}
