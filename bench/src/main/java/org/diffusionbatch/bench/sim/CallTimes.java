package org.diffusionbatch.bench.sim;

import java.util.Arrays;

/**
 * Measured seconds of one graph's call against its batch rows, and the time for any row count in
 * between: piecewise linear between measured row counts; below the smallest measured count the
 * smallest count's time (a GPU is latency-bound there, a smaller batch is not faster); above the
 * largest, the last segment's slope continued (compute-bound: time grows with rows).
 */
public record CallTimes(int[] rows, double[] seconds) {
  public CallTimes {
    if (rows.length == 0 || rows.length != seconds.length) {
      throw new IllegalArgumentException("need as many times as row counts, at least one: " + Arrays.toString(rows)
          + " / " + Arrays.toString(seconds));
    }
    for (int i = 1; i < rows.length; i++) {
      if (rows[i] <= rows[i - 1]) {
        throw new IllegalArgumentException("row counts must increase: " + Arrays.toString(rows));
      }
    }
    rows = rows.clone();
    seconds = seconds.clone();
  }

  /** The same time for every row count (e.g. CLIP's text encoder, flat from 2 to 64 rows on the H100). */
  public static CallTimes flat(double seconds) {
    return new CallTimes(new int[] {1}, new double[] {seconds});
  }

  /** Seconds for a call of {@code n} rows. */
  public double secondsFor(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("a call has at least one row, got " + n);
    }
    if (rows.length == 1 || n <= rows[0]) {
      return seconds[0];
    }
    int i = 1;
    while (i < rows.length - 1 && n > rows[i]) {
      i++;
    }
    double slope = (seconds[i] - seconds[i - 1]) / (rows[i] - rows[i - 1]);
    return seconds[i - 1] + slope * (n - rows[i - 1]);
  }

  /** Nanoseconds for a call of {@code n} rows. */
  public long nanosFor(int n) {
    return Math.round(secondsFor(n) * 1e9);
  }
}
