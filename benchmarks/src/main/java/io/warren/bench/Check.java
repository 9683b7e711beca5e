package io.warren.bench;

import java.util.Locale;

/**
 * One target checked against a baseline measured in the same run: {@code value = measured /
 * baseline}, met when it is on the right side of {@code limit}.
 */
record Check(String what, double value, boolean atMost, double limit) {

  /** A ratio that must stay at or below {@code limit} (e.g. p50 latency vs raw). */
  static Check atMost(String what, double measured, double baseline, double limit) {
    return new Check(what, measured / baseline, true, limit);
  }

  /** A ratio that must reach {@code limit} (e.g. throughput vs raw). */
  static Check atLeast(String what, double measured, double baseline, double limit) {
    return new Check(what, measured / baseline, false, limit);
  }

  boolean met() {
    return atMost ? value <= limit : value >= limit;
  }

  String target() {
    return String.format(Locale.ROOT, "%s %.2fx", atMost ? "<=" : ">=", limit);
  }

  String ratio() {
    return String.format(Locale.ROOT, "%.2fx", value);
  }

  String verdict() {
    return Double.isNaN(value) ? "n/a" : met() ? "met" : "MISSED";
  }
}
