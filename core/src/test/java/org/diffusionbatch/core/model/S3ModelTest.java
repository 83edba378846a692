package org.diffusionbatch.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.diffusionbatch.core.sampler.LatentShape;
import org.diffusionbatch.core.storage.ObjectStorage;
import org.diffusionbatch.core.storage.S3ProxyServer;
import org.diffusionbatch.core.storage.StorageException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** models/tiny-sd served by an in-process S3Proxy: loaded from s3://, cached, reused; S3 errors named. */
class S3ModelTest {
  static S3ProxyServer server;

  @BeforeAll
  static void upload() throws Exception {
    server = new S3ProxyServer();
    server.createBucket("models");
    Path source = TinyModels.path("tiny-sd");
    try (ObjectStorage storage = ObjectStorage.create(server.settings()); Stream<Path> files = Files.walk(source)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String key = "sd/tiny-sd/" + source.relativize(file).toString().replace('\\', '/');
        storage.putFile(URI.create("s3://models/" + key), file);
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static ModelOptions s3Options(String uri, Path cacheDir) {
    return ModelOptions.of(uri).withThreads(1, 1).withCacheDir(cacheDir).withS3(server.settings());
  }

  @Test
  void loadsFromS3ThenReusesTheCacheWithTheSameDigestAsTheLocalCopy(@TempDir Path cacheDir) throws IOException {
    ModelOptions options = s3Options("s3://models/sd/tiny-sd/", cacheDir);
    ModelSource.Resolved first = ModelSource.resolve(options);
    assertTrue(first.downloaded());
    ModelSource.Resolved second = ModelSource.resolve(options);
    assertFalse(second.downloaded(), "the second load must reuse the cache");
    assertEquals(first.directory(), second.directory());

    String localDigest = ModelDigest.of(TinyModels.path("tiny-sd"));
    try (DiffusionModel model = DiffusionModel.load(options)) {
      assertEquals(localDigest, model.info().digest(), "the digest depends on the files, not where they came from");
      assertTrue(model.info().directory().startsWith(cacheDir));
      LatentShape shape = new LatentShape(1, 4, 16, 16);
      float[] out = model.unet().predict(new float[shape.size()], shape, 500, UNetConditioning.of(new float[77 * 32]));
      assertEquals(shape.size(), out.length);
    }
  }

  @Test
  void wrongCredentialsSayAccessDeniedAndNameTheBucketAndCredentialSource(@TempDir Path cacheDir) {
    ModelOptions options = s3Options("s3://models/sd/tiny-sd/", cacheDir)
        .withS3(server.settings(S3ProxyServer.ACCESS_KEY, "wrong-secret"));
    StorageException e = assertThrows(StorageException.class, () -> DiffusionModel.load(options));
    assertTrue(e.getMessage().contains("access denied") && e.getMessage().contains("s3://models/sd/tiny-sd/"), e.getMessage());
    assertTrue(e.getMessage().contains("credentials"), e.getMessage());
  }

  @Test
  void missingPrefixSaysNoObjects(@TempDir Path cacheDir) {
    StorageException e = assertThrows(StorageException.class,
        () -> DiffusionModel.load(s3Options("s3://models/sd/no-such-model/", cacheDir)));
    assertTrue(e.getMessage().contains("no objects under s3://models/sd/no-such-model/"), e.getMessage());
  }

  @Test
  void missingBucketIsNamed(@TempDir Path cacheDir) {
    StorageException e = assertThrows(StorageException.class,
        () -> DiffusionModel.load(s3Options("s3://no-bucket/sd/", cacheDir)));
    assertTrue(e.getMessage().contains("bucket 'no-bucket' does not exist"), e.getMessage());
  }
}
