package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.diffusionbatch.jobs.testing.S3ProxyFixture;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against an S3-compatible server: prompts read over s3a, the model from s3://, images
 * written over s3a through the S3A magic committer, the manifest written through the AWS SDK.
 */
class S3GenerateTest {
  @TempDir Path dir;

  @Test
  void promptsModelAndOutputOnS3WithTheMagicCommitter() throws Exception {
    try (S3ProxyFixture s3 = new S3ProxyFixture()) {
      s3.useAsDefaultCredentials();
      s3.createBucket("data");
      s3.put("data", "in/prompts.csv", ("prompt_id,prompt,seed\n"
          + "a,a red circle,1\nb,a blue square,2\nc,a green triangle,3\nd,\"a yellow star, big\",4\n").getBytes(StandardCharsets.UTF_8));
      s3.putDirectory(Path.of(Runs.TINY_SD), "data", "models/tiny-sd");
      List<String> args = new ArrayList<>(List.of(
          "--prompts", "s3://data/in/prompts.csv", "--output", "s3://data/out/images", "--model", "s3://data/models/tiny-sd/",
          "--steps", "2",
          "--master", "local[2]", "--batch-size", "2", "--partitions", "2", "--run-id", "s3run",
          "--model-cache", dir.resolve("cache").toString(),
          // The job turns _SUCCESS off (the manifest marks completion); on here to read the committer's report.
          "--conf", "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs=true"));
      args.addAll(s3.jobOptions());
      args.addAll(s3.sparkConf());
      assertEquals(GenerateCommand.EXIT_OK, Runs.generate(args.toArray(String[]::new)));

      Set<String> keys = new HashSet<>();
      for (StorageMetadata blob : s3.blobStore().list("data", ListContainerOptions.Builder.inDirectory("out/images").recursive())) {
        keys.add(blob.getName());
      }
      assertTrue(keys.stream().anyMatch(k -> k.endsWith(".parquet")), keys.toString());
      assertTrue(keys.contains("out/images/_SUCCESS"), keys.toString());
      // The magic committer's _SUCCESS is a JSON report naming the committer that wrote the data.
      String success = new String(s3.blobStore().getBlob("data", "out/images/_SUCCESS").getPayload().openStream().readAllBytes(),
          StandardCharsets.UTF_8);
      assertEquals("magic", new ObjectMapper().readTree(success).get("committer").asText(), success);
      assertTrue(keys.stream().noneMatch(k -> k.contains("__magic")), "no magic paths left: " + keys);

      JsonNode manifest = new ObjectMapper().readTree(
          s3.blobStore().getBlob("data", "out/images/_runs/s3run.json").getPayload().openStream());
      assertEquals(4, manifest.get("counts").get("made").asLong());
      assertEquals("s3://data/models/tiny-sd/", manifest.get("model").asText());

      SparkSession spark = s3.readerSession();
      try {
        List<Row> rows = spark.read().parquet("s3a://data/out/images").select("prompt_id", "prompt").orderBy("prompt_id").collectAsList();
        assertEquals(List.of("a", "b", "c", "d"), rows.stream().map(r -> r.getString(0)).toList());
        assertEquals("a yellow star, big", rows.get(3).getString(1));
      } finally {
        spark.stop();
      }
    }
  }
}
