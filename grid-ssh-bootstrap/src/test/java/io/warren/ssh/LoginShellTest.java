package io.warren.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Warren's commands through the login shells users have, each run as sshd runs it ({@code shell -c
 * command}). zsh and tcsh come from {@code scripts/install-test-deps.sh}; a missing one fails the test.
 */
class LoginShellTest {
  /** Shells the wrapper must work in, POSIX or not. */
  private static final List<String> SHELLS = List.of("/bin/sh", "/bin/bash", "/bin/dash", "/bin/zsh", "/bin/tcsh");

  /** Everything a shell might touch: quotes, escapes, expansions, history, lines, bytes beyond ASCII. */
  private static final String SCRIPT = String.join("\n",
      "x='it'\"'\"'s'; printf '%s\\n' \"$x\"",
      "printf '%s\\n' 'back\\slash \\c \\n \\0101 %d %%'",
      "printf '%s\\n' \"dq \\\" \\$HOME\" '!! !$ ^x'",
      "echo `echo bq` $(echo dollar) $((6 * 7))",
      "f() { echo \"fn $1\"; }; f 'a b'",
      "for g in /nonexistent-warren-*.pid; do [ -f \"$g\" ] || continue; echo never; done",
      "{ echo grouped; } 2>/dev/null",
      "printf '%s\\n' 'zürich €'",
      "cat",
      "exit 7");

  @Test
  void aWrappedScriptRunsInShUnchangedWhateverTheLoginShell() throws Exception {
    Run expected = run("/bin/sh", SCRIPT, "from stdin\n");
    assertEquals(7, expected.exit(), expected.toString());
    assertEquals("it's\nback\\slash \\c \\n \\0101 %d %%\ndq \" $HOME\n!! !$ ^x\nbq dollar 42\nfn a b\ngrouped\n"
        + "zürich €\nfrom stdin\n", expected.stdout(), expected.toString());
    for (String shell : SHELLS) {
      Run wrapped = run(shell, LoginShell.wrap(SCRIPT), "from stdin\n");
      assertEquals(expected.stdout(), wrapped.stdout(), shell + ": " + wrapped);
      assertEquals(7, wrapped.exit(), shell + ": " + wrapped);
    }
  }

  @Test
  void theWrappedScriptIsTheProcessSshdStarted() throws Exception {
    // An attached worker's pid file is written with $$ before exec java: it must name the process
    // sshd started, which the login shell's exec of sh and sh's eval keep.
    for (String shell : SHELLS) {
      Process process = start(shell, LoginShell.wrap("echo $$"));
      Run run = finish(process, "");
      assertEquals(process.pid() + "\n", run.stdout(), shell + ": " + run);
    }
  }

  @Test
  void theProbeTellsPosixShellsFromTheOthers() throws Exception {
    for (String shell : SHELLS) {
      Run probed = run(shell, LoginShell.NAME_PROBE, "");
      boolean posix = probed.exit() == 0 && LoginShell.runsPosixCommands(probed.stdout());
      assertEquals(!shell.endsWith("zsh") && !shell.endsWith("tcsh"), posix, shell + ": " + probed);
    }
  }

  @Test
  void theShellsNameIsReadFromTheProbesLastLine() {
    assertTrue(LoginShell.runsPosixCommands("bash\n"));
    assertTrue(LoginShell.runsPosixCommands("/usr/bin/ksh93"));
    assertTrue(LoginShell.runsPosixCommands("-sh"));
    assertTrue(LoginShell.runsPosixCommands("Welcome to the cluster!\nbash\n"), "rc files printing first");
    assertFalse(LoginShell.runsPosixCommands("zsh"));
    assertFalse(LoginShell.runsPosixCommands("bash\nfish"));
    assertFalse(LoginShell.runsPosixCommands(""));
  }

  @Test
  void whatRcFilesPrintAheadOfTheNameIsTheGreeting() {
    assertEquals("", LoginShell.greeting("bash\n"));
    assertEquals("", LoginShell.greeting(""));
    assertEquals("Welcome to the cluster!", LoginShell.greeting("Welcome to the cluster!\nbash\n"));
    assertEquals("line one\nline two", LoginShell.greeting("\nline one\nline two\ntcsh"));
  }

  @Test
  void theWrappedCommandHoldsNothingAShellWouldReadInsideSingleQuotes() {
    String wrapped = LoginShell.wrap(SCRIPT);
    String word = wrapped.substring(wrapped.indexOf('\'') + 1, wrapped.lastIndexOf('\''));
    assertFalse(word.contains("'") || word.contains("\n") || word.contains("!") || word.contains("\\\\"), word);
    assertTrue(word.chars().allMatch(c -> c >= 0x20 && c < 0x7f), word);
  }

  private record Run(int exit, String stdout, String stderr) {}

  private static Run run(String shell, String command, String stdin) throws IOException, InterruptedException {
    return finish(start(shell, command), stdin);
  }

  private static Process start(String shell, String command) throws IOException {
    assertTrue(Files.isExecutable(Path.of(shell)), shell + " is missing: run scripts/install-test-deps.sh");
    return new ProcessBuilder(shell, "-c", command).start();
  }

  private static Run finish(Process process, String stdin) throws IOException, InterruptedException {
    process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the shell did not finish");
    return new Run(process.exitValue(), out, err);
  }
}
