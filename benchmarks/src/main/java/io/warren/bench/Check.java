package io.warren.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * One target checked against a baseline measured in the same run: {@code value = measured /
 * baseline} (of the medians), met when it is on the right side of {@code limit}.
 *
 * <p>The verdict is the medians' ratio alone. Beside it, {@code turnRatios} are the same ratio turn
 * by turn: the contender's turn k against the baseline's turn k, which ran within one rotation of
 * it (see {@link Harness#compare}). Their middle half and how many of them reach the limit show how
 * far a verdict stands from the run's own spread: a ratio whose middle half straddles the limit is
 * within what this machine can tell apart.
 *
 * @param turnRatios the ratio in each turn, in turn order; empty when the turns were not kept
 */
record Check(String what, double value, boolean atMost, double limit, double[] turnRatios) {

  /** A ratio that must stay at or below {@code limit} (e.g. p50 latency vs raw). */
  static Check atMost(String what, double measured, double baseline, double limit) {
    return new Check(what, measured / baseline, true, limit, new double[0]);
  }

  /** A ratio that must reach {@code limit} (e.g. throughput vs raw). */
  static Check atLeast(String what, double measured, double baseline, double limit) {
    return new Check(what, measured / baseline, false, limit, new double[0]);
  }

  /**
   * This check with the turn-by-turn ratios of {@code field} between {@code measured} and
   * {@code baseline}, paired by turn; turns where either side has no figure (NaN) are left out.
   */
  Check withTurns(Result measured, Result baseline, ToDoubleFunction<Harness.Run> field) {
    List<Harness.Run> mine = measured.turns();
    List<Harness.Run> theirs = baseline.turns();
    int pairs = Math.min(mine.size(), theirs.size());
    double[] ratios = new double[pairs];
    int kept = 0;
    for (int i = 0; i < pairs; i++) {
      double ratio = field.applyAsDouble(mine.get(i)) / field.applyAsDouble(theirs.get(i));
      if (Double.isFinite(ratio)) {
        ratios[kept++] = ratio;
      }
    }
    return new Check(what, value, atMost, limit, Arrays.copyOf(ratios, kept));
  }

  boolean met() {
    return meets(value);
  }

  private boolean meets(double ratio) {
    return atMost ? ratio <= limit : ratio >= limit;
  }

  String target() {
    return String.format(Locale.ROOT, "%s %.2fx", atMost ? "<=" : ">=", limit);
  }

  String ratio() {
    return Table.ratio(value);
  }

  /** The middle half of the turn ratios (25th to 75th percentile), e.g. {@code 0.81-0.97x}; "-" without turns. */
  String turnSpread() {
    if (turnRatios.length == 0) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.2f-%.2fx", Stats.percentile(turnRatios, 25), Stats.percentile(turnRatios, 75));
  }

  /** Whether the better end of the turn ratios' middle half meets the limit; false without turns. */
  boolean middleHalfReachesLimit() {
    return turnRatios.length > 0 && meets(Stats.percentile(turnRatios, atMost ? 25 : 75));
  }

  /** In how many turns the ratio met the limit, e.g. {@code 9 of 15}; "-" without turns. */
  String turnsMet() {
    if (turnRatios.length == 0) {
      return "-";
    }
    long met = Arrays.stream(turnRatios).filter(this::meets).count();
    return met + " of " + turnRatios.length;
  }

  String verdict() {
    return Double.isNaN(value) ? "n/a" : met() ? "met" : "MISSED";
  }
}
