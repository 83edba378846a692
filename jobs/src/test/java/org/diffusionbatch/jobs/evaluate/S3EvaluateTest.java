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
      s3.createBucket("data");
      for (int k = 0; k < MetricsRuns.NAMES.size(); k++) {
        s3.put("data", String.format("images/%02d.png", k), MetricsRuns.answer(k));
      }
      s3.putDirectory(Path.of(MetricsRuns.TINY_FEATURES), "data", "models/tiny-features");
      s3.put("data", "stats/reference.npz", Files.readAllBytes(Path.of(MetricsRuns.TINY_REFERENCE_STATS)));
      List<String> args = new ArrayList<>(List.of("evaluate", "--images", "s3://data/images/", "--features",
          "s3://data/models/tiny-features/", "--reference", "s3://data/stats/reference.npz", "--save-stats",
          "s3://data/stats/answers.npz", "--output", "s3://data/eval", "--master", "local[2]", "--model-cache",
          dir.resolve("cache").toString()));
      args.addAll(s3.jobOptions());
      args.addAll(s3.sparkConf());
      MetricsRuns.Result r = MetricsRuns.runQuiet(args.toArray(String[]::new));
      assertEquals(0, r.code(), r.err());

      Set<String> keys = new HashSet<>();
      for (StorageMetadata blob : s3.blobStore().list("data", ListContainerOptions.Builder.recursive())) {
        keys.add(blob.getName());
      }
      assertTrue(keys.containsAll(List.of("eval/metrics.csv", "eval/stats/all.npz", "stats/answers.npz")), keys.toString());
      assertTrue(keys.stream().anyMatch(k -> k.startsWith("eval/metrics/") && k.endsWith(".parquet")), keys.toString());
      assertTrue(keys.stream().noneMatch(k -> k.contains(".tmp-")), "no staging left: " + keys);
      String csv = new String(s3.blobStore().getBlob("data", "eval/metrics.csv").getPayload().openStream().readAllBytes(),
          StandardCharsets.UTF_8);
      String[] row = csv.split("\n")[1].split(",", -1);
      assertEquals("12", row[0]);
      assertEquals("12", row[1]);
      assertTrue(Double.parseDouble(row[4]) > 0, csv);
      assertEquals("s3://data/models/tiny-features/", row[16], csv);
    }
  }
}
