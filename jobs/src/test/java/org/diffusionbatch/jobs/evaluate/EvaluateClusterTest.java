package org.diffusionbatch.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diffusionbatch.core.metrics.GaussianStatistics;
import org.diffusionbatch.core.metrics.NpzStatistics;
import org.diffusionbatch.jobs.testing.LocalClusterHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** evaluate on two executor JVMs (local-cluster) gives the metrics of one local executor. */
class EvaluateClusterTest {
  @TempDir Path dir;

  @Test
  void twoExecutorsGiveTheFidAndKidOfLocalOne() throws Exception {
    Path images = MetricsRuns.answersDataset(dir, "answers", k -> k < 6 ? "warm" : "cool", 0);
    Path reference = MetricsRuns.answersFolder(dir, "reference");
    List<String> common = List.of("evaluate", "--images", images.toString(), "--features", MetricsRuns.TINY_FEATURES,
        "--reference", reference.toString(), "--kid", "--kid-subsets", "10", "--kid-subset-size", "4",
        "--group-by", "group", "--partitions", "4");

    List<String> local = new ArrayList<>(common);
    local.addAll(List.of("--output", dir.resolve("local").toString(), "--master", "local[1]"));
    MetricsRuns.Result one = MetricsRuns.runQuiet(local.toArray(String[]::new));
    assertEquals(0, one.code(), one.err());

    List<String> cluster = new ArrayList<>(common);
    cluster.addAll(List.of("--output", dir.resolve("cluster").toString(), "--master", "local-cluster[2,1,1024]"));
    cluster.addAll(LocalClusterHome.executorConf());
    MetricsRuns.Result two;
    try (LocalClusterHome home = LocalClusterHome.build().activate()) {
      two = MetricsRuns.runQuiet(cluster.toArray(String[]::new));
    }
    assertEquals(0, two.code(), two.err());

    List<Map<String, String>> a = MetricsRuns.csv(dir.resolve("local/metrics.csv"));
    List<Map<String, String>> b = MetricsRuns.csv(dir.resolve("cluster/metrics.csv"));
    assertEquals(2, a.size());
    for (int i = 0; i < 2; i++) {
      assertEquals(a.get(i).get("group"), b.get(i).get("group"));
      assertEquals("6", b.get(i).get("n"));
      assertEquals("12", b.get(i).get("fid_reference_n"));
      String group = a.get(i).get("group");
      // the merged statistics are the same to rounding, whichever executor added which rows
      GaussianStatistics sa = NpzStatistics.read(dir.resolve("local/stats/group=" + group + ".npz"));
      GaussianStatistics sb = NpzStatistics.read(dir.resolve("cluster/stats/group=" + group + ".npz"));
      double largest = Arrays.stream(sa.covariance().data).map(Math::abs).max().orElseThrow();
      for (int k = 0; k < sa.covariance().data.length; k++) {
        assertEquals(sa.covariance().data[k], sb.covariance().data[k], 1e-12 * largest, "sigma of " + group);
      }
      assertArrayEquals(sa.mean(), sb.mean(), 1e-12);
      // 6 images in 64-d: a covariance of rank 5, whose rounding-size eigenvalues enter the trace term through a
      // square root (sqrt(1e-17) ~ 3e-9), so FID agrees to about 1e-9 here; with more images than dimensions, to 1e-12
      double fid = Double.parseDouble(a.get(i).get("fid"));
      assertEquals(fid, Double.parseDouble(b.get(i).get("fid")), 1e-7 * fid, "FID of " + group);
      // the KID sample is chosen by a hash of each image's bytes, so it is the same rows whatever the partitioning
      double kid = Double.parseDouble(a.get(i).get("kid_mean"));
      assertEquals(kid, Double.parseDouble(b.get(i).get("kid_mean")), 1e-9 * Math.abs(kid), "KID of " + group);
      assertEquals(a.get(i).get("kid_std"), b.get(i).get("kid_std"));
    }
  }
}
