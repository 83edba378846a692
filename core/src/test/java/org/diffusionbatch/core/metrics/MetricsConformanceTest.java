package org.diffusionbatch.core.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * Replays metric references: the small cases bundled in test resources (made by
 * tools/metrics/), those in ../shared/reference/metrics/ when present, and a directory named by
 * {@code -Dconformance.metrics=DIR}. A case of the same name from a later source replaces the
 * earlier one. Kinds: {@code fid} (statistics from the features, FID from them and from the
 * {@code .npz} files, the offset flag), {@code kid} (every row as one subset), {@code resize}
 * (clean-fid's clean mode) and {@code resize_legacy_pytorch}. Tolerances are the README's:
 * statistics 1e-9 relative to the largest entry, FID 1e-6 relative, KID 1e-9 relative, resize 1e-3
 * absolute (1e-4 for torch's bilinear, whose float32 steps are followed exactly).
 */
class MetricsConformanceTest {
  private static final String PROPERTY = "conformance.metrics";
  private static final double STATS_TOLERANCE = 1e-9;
  private static final double FID_TOLERANCE = 1e-6;
  private static final double KID_TOLERANCE = 1e-9;
  private static final double RESIZE_TOLERANCE = 1e-3;
  /** torch's float32 arithmetic is followed step by step, so only a few ulps of 255 remain. */
  private static final double LEGACY_PYTORCH_TOLERANCE = 1e-4;

  @Test
  void everyMetricReferenceMatchesPytorchFidAndCleanFid() throws Exception {
    Map<String, MetricsCase> cases = new LinkedHashMap<>();
    addAll(cases, bundledDirectory(), false);
    Path shared = Paths.get(System.getProperty("repo.root", "."), "..", "shared", "reference", "metrics")
        .normalize();
    if (Files.isDirectory(shared)) {
      addAll(cases, shared, true);
    } else {
      System.out.println("metrics conformance: " + shared + " absent; replaying bundled cases only");
    }
    String extra = System.getProperty(PROPERTY);
    if (extra != null && !extra.isBlank()) {
      int added = addAll(cases, Paths.get(extra), true);
      assertFalse(added == 0, "-D" + PROPERTY + "=" + extra + " holds no *.json metric cases");
    }
    assumeFalse(cases.isEmpty(), "no metric reference cases found (bundled or shared)");

    List<String> failures = new ArrayList<>();
    for (MetricsCase c : cases.values()) {
      try {
        System.out.printf("  %-30s %s%n", c.name(), replay(c));
      } catch (AssertionError | RuntimeException e) {
        System.out.printf("  %-30s FAILED: %s%n", c.name(), e.getMessage());
        failures.add(c.name() + " (" + c.dir() + "): " + e.getMessage());
      }
    }
    System.out.println("metrics conformance: " + cases.size() + " cases");
    if (!failures.isEmpty()) {
      throw new AssertionError(failures.size() + " of " + cases.size()
          + " metric cases differ from the reference:\n  " + String.join("\n  ", failures));
    }
  }

  private static String replay(MetricsCase c) {
    return switch (c.kind()) {
      case "fid" -> replayFid(c);
      case "kid" -> replayKid(c);
      case "resize" -> replayResize(c, true);
      case "resize_legacy_pytorch" -> replayResize(c, false);
      default -> throw new AssertionError("unknown case kind \"" + c.kind() + "\"");
    };
  }

  /** Statistics from the features, then FID from them and from the .npz files. */
  private static String replayFid(MetricsCase c) {
    double expected = c.number("fid");
    boolean offsetExpected = c.flag("offset_used");
    FeatureStatistics s1 = statistics(c.array("features1"));
    FeatureStatistics s2 = statistics(c.array("features2"));
    double statsError = Math.max(
        Math.max(relativeToLargest(s1.mean(), c.array("mu1").values()),
            relativeToLargest(s1.covariance(), c.array("sigma1"))),
        Math.max(relativeToLargest(s2.mean(), c.array("mu2").values()),
            relativeToLargest(s2.covariance(), c.array("sigma2"))));
    check(statsError <= STATS_TOLERANCE, "mean/covariance differ from numpy's by " + statsError
        + " of the largest entry (tolerance " + STATS_TOLERANCE + ")");

    FrechetDistance.Result fromFeatures = FrechetDistance.between(s1, s2);
    double featuresError = relative(fromFeatures.value(), expected);
    check(featuresError <= FID_TOLERANCE, "FID from the features " + fromFeatures.value()
        + " differs from " + expected + " by " + featuresError + " relative");
    check(fromFeatures.offsetUsed() == offsetExpected, "offset used " + fromFeatures.offsetUsed()
        + ", reference says " + offsetExpected);
    check(fromFeatures.n1() == s1.count() && fromFeatures.n2() == s2.count(), "sample sizes not reported");

    String npz = "";
    Path npz1 = c.sibling(".stats1.npz");
    Path npz2 = c.sibling(".stats2.npz");
    if (npz1 != null && npz2 != null) {
      FrechetDistance.Result fromFiles =
          FrechetDistance.between(NpzStatistics.read(npz1), NpzStatistics.read(npz2));
      double filesError = relative(fromFiles.value(), expected);
      check(filesError <= FID_TOLERANCE, "FID from the .npz statistics " + fromFiles.value()
          + " differs from " + expected + " by " + filesError + " relative");
      check(fromFiles.offsetUsed() == offsetExpected, "offset used " + fromFiles.offsetUsed()
          + " from the .npz statistics, reference says " + offsetExpected);
      npz = String.format(", from .npz rel %.1e", filesError);
    }
    return String.format("fid  d=%d n=%d/%d: %.10g (ref %.10g, rel %.1e%s) offset %s, stats rel %.1e",
        s1.dimension(), s1.count(), s2.count(), fromFeatures.value(), expected, featuresError, npz,
        fromFeatures.offsetUsed() ? "yes" : "no", statsError);
  }

  private static String replayKid(MetricsCase c) {
    double expected = c.number("kid");
    NpyArray x = c.array("features1");
    NpyArray y = c.array("features2");
    check(x.columns() == y.columns(), "feature sets have different dimensions");
    double kid = KernelInceptionDistance.allRows(x.toFloats(), x.rows(), y.toFloats(), y.rows(), x.columns());
    double error = relative(kid, expected);
    check(error <= KID_TOLERANCE, "KID " + kid + " differs from " + expected + " by " + error + " relative");
    return String.format("kid  d=%d n=%d/%d: %.12g (ref %.12g, rel %.1e)", x.columns(), x.rows(),
        y.rows(), kid, expected, error);
  }

  private static String replayResize(MetricsCase c, boolean clean) {
    NpyArray image = c.array("image");
    NpyArray expected = c.array("resized");
    check(image.rank() == 3 && image.shape()[2] == 3, "image must be [H, W, 3]");
    check(expected.rank() == 3 && expected.shape()[0] == expected.shape()[1] && expected.shape()[2] == 3,
        "resized must be [S, S, 3]");
    int h = image.shape()[0];
    int w = image.shape()[1];
    int size = expected.shape()[0];
    byte[] rgb = new byte[h * w * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) image.values()[i];
    }
    float[] chw = clean ? new CleanResize(size).resize(rgb, h, w) : new TorchBilinearResize(size).resize(rgb, h, w);
    double worst = 0;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        for (int ch = 0; ch < 3; ch++) {
          double got = chw[ch * size * size + y * size + x];
          double want = expected.values()[(y * size + x) * 3 + ch];
          worst = Math.max(worst, Math.abs(got - want));
        }
      }
    }
    double tolerance = clean ? RESIZE_TOLERANCE : LEGACY_PYTORCH_TOLERANCE;
    check(worst <= tolerance, "resized pixels differ by up to " + worst + " (tolerance " + tolerance + ")");
    return String.format("%s %dx%d -> %dx%d: max abs error %.2g", clean ? "clean (PIL bicubic)" : "legacy_pytorch (bilinear)",
        w, h, size, size, worst);
  }

  private static FeatureStatistics statistics(NpyArray features) {
    FeatureStatistics s = new FeatureStatistics(features.columns());
    s.add(features.values(), features.rows());
    return s;
  }

  private static double relativeToLargest(double[] got, double[] want) {
    check(got.length == want.length, "length " + got.length + " vs " + want.length);
    double largest = 0;
    double worst = 0;
    for (int i = 0; i < got.length; i++) {
      largest = Math.max(largest, Math.abs(want[i]));
      worst = Math.max(worst, Math.abs(got[i] - want[i]));
    }
    return largest == 0 ? worst : worst / largest;
  }

  private static double relativeToLargest(DMatrixRMaj got, NpyArray want) {
    check(want.rank() == 2 && want.rows() == got.numRows && want.columns() == got.numCols,
        "covariance shape differs from the reference's");
    return relativeToLargest(java.util.Arrays.copyOf(got.data, got.getNumElements()), want.values());
  }

  private static double relative(double got, double want) {
    return Math.abs(got - want) / Math.max(Math.abs(want), Double.MIN_NORMAL);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new AssertionError(message);
    }
  }

  private static Path bundledDirectory() throws URISyntaxException {
    URL url = MetricsConformanceTest.class.getResource("/conformance/metrics");
    return url == null ? null : Paths.get(url.toURI());
  }

  private static int addAll(Map<String, MetricsCase> cases, Path dir, boolean required) throws IOException {
    if (dir == null || !Files.isDirectory(dir)) {
      if (dir != null && required) {
        throw new AssertionError("metric case directory " + dir + " does not exist");
      }
      return 0;
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    for (Path f : files) {
      MetricsCase c = MetricsCase.read(f);
      cases.put(c.name(), c);
    }
    return files.size();
  }
}
