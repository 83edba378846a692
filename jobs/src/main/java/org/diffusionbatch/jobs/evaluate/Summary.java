package org.diffusionbatch.jobs.evaluate;

import java.math.BigDecimal;
import java.util.List;
import org.diffusionbatch.core.metrics.FrechetDistance;
import org.diffusionbatch.core.metrics.KernelInceptionDistance;

/** One line per group for the console, every metric with its sample size. */
final class Summary {
  private Summary() {}

  static String line(GroupMetrics m, List<String> columns, FeatureSet reference) {
    StringBuilder out = new StringBuilder(m.key().describe(columns)).append(": ");
    String sep = "";
    if (m.fid() != null) {
      out.append(fid(m.fid(), reference));
      sep = ", ";
    } else if (m.n() > 0) {
      out.append(m.n()).append(" images in the statistics");
      sep = ", ";
    }
    if (m.kid() != null) {
      out.append(sep).append(kid(m.kid()));
      sep = ", ";
    }
    if (m.clipScore() != null) {
      out.append(sep).append(String.format("CLIP score %.4f (n %d)", m.clipScore(), m.clipN()));
      sep = ", ";
    }
    if (m.excluded() > 0) {
      out.append(sep).append(m.excluded()).append(" image(s) left out");
    }
    return out.toString();
  }

  /** e.g. {@code FID 2.799352 (n 500 vs 400)}; the reference's n is "unknown" for a statistics file. */
  static String fid(FrechetDistance.Result fid, FeatureSet reference) {
    String ref = reference == null || reference.count() != null ? Long.toString(fid.n2()) : "a statistics file";
    return "FID " + plain(fid.value()) + " (n " + fid.n1() + " vs " + ref + ")" + (fid.offsetUsed() ? " [1e-6 offset added: singular covariance]" : "");
  }

  /** e.g. {@code KID 0.00123 ± 0.00045 (100 subsets of 1000 from 2000 and 10000)}. */
  static String kid(KernelInceptionDistance.Result kid) {
    return "KID " + plain(kid.mean()) + " ± " + plain(kid.std()) + " (" + kid.subsets() + " subset" + (kid.subsets() == 1 ? "" : "s")
        + " of " + kid.subsetSize() + " from " + kid.n1() + " and " + kid.n2() + ")";
  }

  /** Full precision, never in exponent notation (KID values are often below 1e-3). */
  static String plain(double v) {
    if (!Double.isFinite(v)) {
      return Double.toString(v);
    }
    return new BigDecimal(Double.toString(v)).toPlainString();
  }
}
