package io.warren.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A table of strings rendered as aligned text (the console) or GitHub markdown (the report). */
final class Table {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  Table(List<String> header) {
    this.header = List.copyOf(header);
  }

  Table row(List<String> cells) {
    if (cells.size() != header.size()) {
      throw new IllegalArgumentException("expected " + header.size() + " cells, got " + cells.size());
    }
    rows.add(List.copyOf(cells));
    return this;
  }

  int size() {
    return rows.size();
  }

  String text() {
    int[] widths = new int[header.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = header.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    line(out, header, widths);
    StringBuilder rule = new StringBuilder();
    for (int w : widths) {
      rule.append("-".repeat(w)).append("  ");
    }
    out.append(rule.toString().stripTrailing()).append('\n');
    rows.forEach(row -> line(out, row, widths));
    return out.toString();
  }

  String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("| ").append(String.join(" | ", header)).append(" |\n");
    out.append("|").append("---|".repeat(header.size())).append('\n');
    for (List<String> row : rows) {
      out.append("| ").append(String.join(" | ", row.stream().map(c -> c.replace("|", "\\|")).toList())).append(" |\n");
    }
    return out.toString();
  }

  private static void line(StringBuilder out, List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      line.append(String.format(Locale.ROOT, "%-" + widths[i] + "s  ", cells.get(i)));
    }
    out.append(line.toString().stripTrailing()).append('\n');
  }

  /** {@code 1234.5 -> "1,235"}; NaN -> "-". */
  static String number(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%,.0f", value);
  }

  /** A ratio with two decimals, e.g. {@code 1.15x}. */
  static String ratio(double value) {
    return String.format(Locale.ROOT, "%.2fx", value);
  }

  /** One decimal; NaN -> "-". */
  static String decimal(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%,.1f", value);
  }

  /** The results table, one row per measured case. */
  static Table of(List<Result> results) {
    Table table = new Table(List.of("section", "case", "payload", "inst", "prefetch", "window", "calls/s",
        "p50 us", "p99 us", "client CPU us/call", "worker CPU us/call", "broker CPU us/call"));
    for (Result r : results) {
      table.row(List.of(r.section(), r.name(), r.payload(), Integer.toString(r.instances()),
          r.prefetch() == 0 ? "-" : Integer.toString(r.prefetch()), Integer.toString(r.window()),
          number(r.rate()), number(r.p50Micros()), number(r.p99Micros()),
          decimal(r.clientCpuMicros()), decimal(r.workerCpuMicros()), decimal(r.brokerCpuMicros())));
    }
    return table;
  }

  /**
   * The rows whose JIT compiler threads took the most CPU during their timed turns, against the CPU
   * per call of the client and the serving processes, which includes it.
   */
  static Table ofCompilation(List<Result> rows) {
    Table table = new Table(List.of("case", "compiler CPU us/call", "client + serving CPU us/call", "share"));
    for (Result r : rows) {
      table.row(List.of(r.caseName(), decimal(r.compilerCpuMicros()), decimal(r.processCpuMicros()),
          String.format(Locale.ROOT, "%.1f%%", 100 * r.compilerCpuMicros() / r.processCpuMicros())));
    }
    return table;
  }

  /** The targets table: each ratio against the baseline measured in the same run. */
  static Table ofChecks(List<Check> checks) {
    Table table = new Table(List.of("target", "ratio", "turns: middle half", "turns met", "limit", "verdict"));
    for (Check c : checks) {
      table.row(List.of(c.what(), c.ratio(), c.turnSpread(), c.turnsMet(), c.target(), c.verdict()));
    }
    return table;
  }

  /** The gap split: Warren against raw, raw in Warren's message shape against raw, Warren against that. */
  static Table ofGaps(List<GapSplit> gaps) {
    Table table = new Table(List.of("case", "measure", "warren / raw", "raw in warren's shape / raw",
        "warren / raw in warren's shape"));
    for (GapSplit g : gaps) {
      table.row(List.of(g.what(), g.measure(), ratio(g.warrenToRaw()), ratio(g.shapeToRaw()), ratio(g.warrenToShape())));
    }
    return table;
  }
}
