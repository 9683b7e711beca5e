package io.warren.bench;

import java.util.Arrays;

/** The harness's arithmetic: percentiles, medians, growth per call. Pure functions. */
final class Stats {
  private Stats() {}

  /** Nearest-rank percentile ({@code p} in 0..100) of {@code values[0..count)}; sorts that range. */
  static long percentile(long[] values, int count, double p) {
    if (count <= 0) {
      throw new IllegalArgumentException("no values");
    }
    if (p < 0 || p > 100) {
      throw new IllegalArgumentException("p must be in 0..100: " + p);
    }
    Arrays.sort(values, 0, count);
    return values[nearestRank(count, p)];
  }

  /** Nearest-rank percentile ({@code p} in 0..100) of {@code values}, which it leaves as they are; NaN when empty. */
  static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[nearestRank(sorted.length, p)];
  }

  /** The index of the nearest-rank {@code p}th percentile among {@code count} sorted values. */
  private static int nearestRank(int count, double p) {
    int rank = (int) Math.ceil(p / 100.0 * count);
    return Math.max(0, Math.min(count - 1, rank - 1));
  }

  /** Median of {@code values}; the mean of the middle two for an even count. NaN when empty. */
  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /** Least-squares slope of y over x: bytes per call when x is calls and y heap bytes. */
  static double slope(double[] x, double[] y) {
    if (x.length != y.length || x.length < 2) {
      throw new IllegalArgumentException("need two or more points of equal length");
    }
    double mx = Arrays.stream(x).average().orElseThrow();
    double my = Arrays.stream(y).average().orElseThrow();
    double num = 0;
    double den = 0;
    for (int i = 0; i < x.length; i++) {
      num += (x[i] - mx) * (y[i] - my);
      den += (x[i] - mx) * (x[i] - mx);
    }
    return den == 0 ? 0 : num / den;
  }

  /** A growable array of longs, so latency recording does not box. Not thread-safe. */
  static final class LongList {
    private long[] values = new long[1 << 14];
    private int size;

    void add(long value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    int size() {
      return size;
    }

    long percentile(double p) {
      return Stats.percentile(values, size, p);
    }

    /** Percentile of the values added since the first {@code from} (one turn's), leaving their order as it is; NaN when none. */
    double percentileFrom(int from, double p) {
      int count = size - from;
      return count <= 0 ? Double.NaN : Stats.percentile(Arrays.copyOfRange(values, from, size), count, p);
    }
  }
}
