package org.diffusionbatch.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.diffusionbatch.core.storage.S3Settings;
import org.junit.jupiter.api.Test;

class ModelOptionsTest {
  @Test
  void localDefaultsToCpuAllOptAndDefaultS3() {
    ModelOptions o = ModelOptions.local(Path.of("/models/sd15"));
    assertEquals("/models/sd15", o.uri());
    assertNull(o.gpu());
    assertEquals("ALL_OPT", o.effectiveOptLevel());
    assertEquals(S3Settings.defaults(), o.s3());
  }

  @Test
  void optLevelIsCheckedAndCaseInsensitive() {
    assertEquals("BASIC_OPT", ModelOptions.of("/m").withOptLevel("basic_opt").optLevel());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelOptions.of("/m").withOptLevel("FAST"));
    assertTrue(e.getMessage().contains("NO_OPT, BASIC_OPT, EXTENDED_OPT, ALL_OPT"), e.getMessage());
  }

  @Test
  void negativeThreadsGpuAndEmptyUriAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> ModelOptions.of("/m").withThreads(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> ModelOptions.of("/m").withGpu(-1));
    assertThrows(IllegalArgumentException.class, () -> ModelOptions.of(" "));
  }

  @Test
  void runsPerGraphDefaultToTwoOnAGpuAndNoBoundOnTheCpuAndNegativeIsRefused() {
    assertEquals(2, ModelOptions.of("/m").withGpu(0).effectiveRunsPerGraph());
    assertEquals(0, ModelOptions.of("/m").effectiveRunsPerGraph());
    assertEquals(1, ModelOptions.of("/m").withGpu(0).withRunsPerGraph(1).effectiveRunsPerGraph());
    assertEquals(3, ModelOptions.of("/m").withRunsPerGraph(3).withGpu(1).effectiveRunsPerGraph());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelOptions.of("/m").withRunsPerGraph(-1));
    assertTrue(e.getMessage().contains("runs per graph"), e.getMessage());
  }

  @Test
  void cacheDirOptionWinsOverTheDefault() {
    assertEquals(Path.of("/data/cache"), ModelOptions.of("s3://b/m/").withCacheDir(Path.of("/data/cache")).effectiveCacheDir());
    Path fallback = ModelOptions.of("s3://b/m/").effectiveCacheDir();
    String env = System.getenv("DIFFUSION_BATCH_CACHE");
    assertEquals(env != null && !env.isBlank() ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".cache", "diffusion-batch", "models"), fallback);
  }

  @Test
  void settingsNeverPrintCredentials() {
    S3Settings s = new S3Settings("http://minio:9000", "eu-west-1", true,
        software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("AKIAEXAMPLE", "very-secret")));
    assertTrue(!s.toString().contains("very-secret") && !s.toString().contains("AKIAEXAMPLE"), s.toString());
  }
}
