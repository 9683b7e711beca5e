package io.warren.cli;

import java.io.PrintStream;

/** A one-line progress bar, redrawn in place on a terminal and printed at milestones otherwise. */
final class Progress {
  private static final int WIDTH = 30;

  private final PrintStream out;
  private final int total;
  private final String label;
  private final boolean terminal = System.console() != null;
  private int done;
  private int lastPrinted = -1;

  Progress(PrintStream out, String label, int total) {
    this.out = out;
    this.label = label;
    this.total = total;
  }

  synchronized void step() {
    done++;
    int filled = total == 0 ? WIDTH : done * WIDTH / total;
    String bar = "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + done + "/" + total + " " + label;
    if (terminal) {
      out.print("\r" + bar);
      if (done == total) {
        out.println();
      }
    } else if (filled != lastPrinted && (filled % 10 == 0 || done == total)) {
      out.println(bar);
      lastPrinted = filled;
    }
    out.flush();
  }
}
