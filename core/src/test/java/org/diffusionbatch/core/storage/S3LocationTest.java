package org.diffusionbatch.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class S3LocationTest {
  @Test
  void parsesBucketAndKeyFromS3AndS3aUris() {
    assertEquals(new S3Location("b", "models/sd15/"), S3Location.parse("s3://b/models/sd15/"));
    assertEquals(new S3Location("b", "k"), S3Location.parse("s3a://b/k"));
    assertEquals(new S3Location("b", ""), S3Location.parse("s3://b"));
  }

  @Test
  void rejectsOtherSchemesAndMissingBucket() {
    assertThrows(IllegalArgumentException.class, () -> S3Location.parse("http://b/k"));
    assertThrows(IllegalArgumentException.class, () -> S3Location.parse("s3:///k"));
  }

  @Test
  void uriRoundTripsKeysWithSpaces() {
    S3Location loc = new S3Location("b", "my models/a b.onnx");
    assertEquals(loc, S3Location.parse(loc.uri()));
  }

  @Test
  void asPrefixAddsOneSlash() {
    assertEquals("p/", S3Location.parse("s3://b/p").asPrefix().key());
    assertEquals("p/", S3Location.parse("s3://b/p/").asPrefix().key());
  }

  @Test
  void localPathRefusesKeysThatEscapeTheFolder() {
    Path dir = Path.of("/tmp/x");
    S3Location prefix = S3Location.parse("s3://b/p/");
    assertEquals(dir.resolve("unet/model.onnx"), ObjectStorage.localPath(dir, prefix, "p/unet/model.onnx"));
    assertThrows(StorageException.class, () -> ObjectStorage.localPath(dir, prefix, "p/../../etc/passwd"));
  }

  @Test
  void uriOfSummaryPointsAtTheObject() {
    assertEquals(URI.create("s3://b/p/k"), new S3ObjectSummary("b", "p/k", 1, "e").uri());
  }
}
