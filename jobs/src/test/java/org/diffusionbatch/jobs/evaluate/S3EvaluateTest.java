package org.diffusionbatch.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.diffusionbatch.jobs.testing.S3ProxyFixture;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** evaluate against an S3-compatible server: images over s3a, the feature model from s3://, reference, statistics and table on S3. */
class S3EvaluateTest {
  @TempDir Path dir;

  @Test
  void imagesModelReferenceAndOutputsOnS3() throws Exception {
    try (S3ProxyFixture s3 = new S3ProxyFixture()) {
      s3.useAsDefaultCredentials();
      s3.createBucket("metrics");
      for (int k = 0; k < MetricsRuns.NAMES.size(); k++) {
        s3.put("metrics", String.format("images/%02d.png", k), MetricsRuns.answer(k));
      }
      s3.putDirectory(Path.of(MetricsRuns.TINY_FEATURES), "metrics", "models/tiny-features");
      s3.put("metrics", "stats/reference.npz", Files.readAllBytes(Path.of(MetricsRuns.TINY_REFERENCE_STATS)));
      List<String> args = new ArrayList<>(List.of("evaluate", "--images", "s3://metrics/images/", "--features",
          "s3://metrics/models/tiny-features/", "--reference", "s3://metrics/stats/reference.npz", "--save-stats",
          "s3://metrics/stats/answers.npz", "--output", "s3://metrics/eval", "--master", "local[2]", "--model-cache",
          dir.resolve("cache").toString()));
      args.addAll(s3.jobOptions());
      args.addAll(s3.sparkConf());
      // Hadoop caches one S3A file system per bucket for the JVM; a cached one would point later tests at this
      // server's port after it is gone.
      args.addAll(List.of("--conf", "spark.hadoop.fs.s3a.impl.disable.cache=true"));
      MetricsRuns.Result r = MetricsRuns.runQuiet(args.toArray(String[]::new));
      assertEquals(0, r.code(), r.err());

      Set<String> keys = new HashSet<>();
      for (StorageMetadata blob : s3.blobStore().list("metrics", ListContainerOptions.Builder.recursive())) {
        keys.add(blob.getName());
      }
      assertTrue(keys.containsAll(List.of("eval/metrics.csv", "eval/stats/all.npz", "stats/answers.npz")), keys.toString());
      assertTrue(keys.stream().anyMatch(k -> k.startsWith("eval/metrics/") && k.endsWith(".parquet")), keys.toString());
      assertTrue(keys.stream().noneMatch(k -> k.contains(".tmp-")), "no staging left: " + keys);
      String csv = new String(s3.blobStore().getBlob("metrics", "eval/metrics.csv").getPayload().openStream().readAllBytes(),
          StandardCharsets.UTF_8);
      String[] row = csv.split("\n")[1].split(",", -1);
      assertEquals("12", row[0]);
      assertEquals("12", row[1]);
      assertTrue(Double.parseDouble(row[4]) > 0, csv);
      assertEquals("s3://metrics/models/tiny-features/", row[16], csv);
    }
  }
}
