package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.diffusionbatch.jobs.spark.Redaction;
import org.junit.jupiter.api.Test;

/** Which --conf keys count as secret, and the resume command a stopped run prints. */
class RedactionTest {

  @Test
  void secretLookingKeysAreRedactedWhateverTheirCase() {
    for (String key : List.of("spark.hadoop.fs.s3a.secret.key", "fs.s3a.session.token", "spark.myapp.PASSWORD", "x.Credential.file",
        "fs.s3a.access.key", "fs.s3a.encryption.key", "spark.ssl.keyStorePassword")) {
      assertTrue(Redaction.isSecretKey(key), key);
    }
    for (String key : List.of("spark.hadoop.fs.s3a.endpoint", "spark.executor.cores", "spark.sql.shuffle.partitions")) {
      assertFalse(Redaction.isSecretKey(key), key);
    }
    assertEquals(List.of("--conf", "fs.s3a.secret.key=" + Redaction.REDACTED, "--conf=fs.s3a.session.token=" + Redaction.REDACTED,
            "--conf", "spark.executor.cores=4", "--prompts", "p.txt"),
        Redaction.arguments(List.of("--conf", "fs.s3a.secret.key=abc", "--conf=fs.s3a.session.token=def",
            "--conf", "spark.executor.cores=4", "--prompts", "p.txt")));
  }

  @Test
  void theResumeCommandKeepsTheArgumentsSwapsOverwriteForResumeDropsTheRunIdAndQuotes() {
    assertEquals("./diffusion-batch generate --prompts 'my prompts.txt' --output out/a --conf 'x.password=" + Redaction.REDACTED
            + "' --resume",
        ResumeCommand.of(List.of("generate", "--prompts", "my prompts.txt", "--output", "out/a", "--overwrite", "--run-id", "r1",
            "--conf", "x.password=hunter2"), false));
    assertEquals("spark-submit <the same spark-submit options> --class org.diffusionbatch.jobs.generate.GenerateJob <jobs-jar>"
            + " --prompts s3://b/p.txt --output 's3://b/it'\"'\"'s' --resume",
        ResumeCommand.of(List.of("--prompts", "s3://b/p.txt", "--output", "s3://b/it's", "--resume", "--run-id=r2"), true));
  }
}
