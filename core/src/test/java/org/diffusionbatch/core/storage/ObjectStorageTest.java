package org.diffusionbatch.core.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectStorageTest {
  static S3ProxyServer server;
  static ObjectStorage storage;

  @BeforeAll
  static void start() throws Exception {
    server = new S3ProxyServer();
    server.createBucket("bucket");
    storage = ObjectStorage.create(server.settings());
  }

  @AfterAll
  static void stop() throws Exception {
    storage.close();
    server.close();
  }

  @Test
  void putThenGetReturnsTheSameBytes() {
    byte[] bytes = "hello manifest".getBytes(StandardCharsets.UTF_8);
    storage.putBytes(URI.create("s3://bucket/runs/a/manifest.json"), bytes);
    assertArrayEquals(bytes, storage.getBytes(URI.create("s3://bucket/runs/a/manifest.json")));
    assertTrue(storage.exists(URI.create("s3://bucket/runs/a/manifest.json")));
    assertFalse(storage.exists(URI.create("s3://bucket/runs/a/other.json")));
  }

  @Test
  void listReturnsKeysSizesAndETagsUnderThePrefixOnly() {
    storage.putBytes(URI.create("s3://bucket/list/x/one"), new byte[3]);
    storage.putBytes(URI.create("s3://bucket/list/x/sub/two"), new byte[5]);
    storage.putBytes(URI.create("s3://bucket/list/y/three"), new byte[7]);
    List<S3ObjectSummary> listed = storage.list(URI.create("s3://bucket/list/x/"));
    assertEquals(List.of("list/x/one", "list/x/sub/two"), listed.stream().map(S3ObjectSummary::key).toList());
    assertEquals(List.of(3L, 5L), listed.stream().map(S3ObjectSummary::size).toList());
    assertFalse(listed.get(0).eTag().contains("\""), "ETag quotes are removed");
  }

  @Test
  void downloadPrefixKeepsTheFolderStructure(@TempDir Path dir) throws Exception {
    storage.putBytes(URI.create("s3://bucket/dl/unet/model.onnx"), new byte[] {1, 2, 3});
    storage.putBytes(URI.create("s3://bucket/dl/model_index.json"), "{}".getBytes(StandardCharsets.UTF_8));
    storage.downloadPrefix(URI.create("s3://bucket/dl"), dir);
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(dir.resolve("unet/model.onnx")));
    assertEquals("{}", Files.readString(dir.resolve("model_index.json")));
  }

  @Test
  void wrongCredentialsSayAccessDeniedAndNameTheKeyAndCredentialSource() {
    try (ObjectStorage wrong = ObjectStorage.create(server.settings(S3ProxyServer.ACCESS_KEY, "not-the-secret"))) {
      StorageException e = assertThrows(StorageException.class, () -> wrong.getBytes(URI.create("s3://bucket/runs/a/manifest.json")));
      assertTrue(e.getMessage().contains("access denied"), e.getMessage());
      assertTrue(e.getMessage().contains("s3://bucket/runs/a/manifest.json"), e.getMessage());
      assertTrue(e.getMessage().contains("credentials provider given in S3Settings"), e.getMessage());
    }
  }

  @Test
  void missingKeyIsNamed() {
    StorageException e = assertThrows(StorageException.class, () -> storage.getBytes(URI.create("s3://bucket/no/such/key")));
    assertTrue(e.getMessage().contains("no object at s3://bucket/no/such/key"), e.getMessage());
  }

  @Test
  void missingBucketIsNamed() {
    StorageException e = assertThrows(StorageException.class, () -> storage.list(URI.create("s3://no-such-bucket/x/")));
    assertTrue(e.getMessage().contains("bucket 'no-such-bucket' does not exist"), e.getMessage());
  }

  @Test
  void unreachableEndpointNamesTheEndpoint() {
    try (ObjectStorage nowhere = ObjectStorage.create(new S3Settings("http://127.0.0.1:1", "us-east-1", true,
        server.settings().credentials()))) {
      StorageException e = assertThrows(StorageException.class, () -> nowhere.getBytes(URI.create("s3://bucket/k")));
      assertTrue(e.getMessage().contains("endpoint http://127.0.0.1:1"), e.getMessage());
    }
  }

  @Test
  void largeObjectsAreDownloadedInParallelRangesByteForByte(@TempDir Path dir) throws Exception {
    byte[] bytes = new byte[5 * 1024 * 1024 + 123];
    new java.util.Random(7).nextBytes(bytes);
    storage.putBytes(URI.create("s3://bucket/big/unet/model.onnx_data"), bytes);
    S3ObjectSummary listed = storage.list(URI.create("s3://bucket/big/")).get(0);
    try (ObjectStorage ranged = ObjectStorage.create(server.settings(), 1024 * 1024, 3)) {
      Path file = dir.resolve("model.onnx_data");
      Files.write(file, new byte[bytes.length * 2]); // a longer stale file must be replaced, not overlaid
      ranged.download(listed, file);
      assertArrayEquals(bytes, Files.readAllBytes(file));
    }
  }

  @Test
  void rangedDownloadOfAReplacedObjectFailsInsteadOfMixingVersions(@TempDir Path dir) {
    storage.putBytes(URI.create("s3://bucket/swap/a"), new byte[3 * 1024 * 1024]);
    S3ObjectSummary listed = storage.list(URI.create("s3://bucket/swap/")).get(0);
    byte[] other = new byte[3 * 1024 * 1024];
    other[0] = 1;
    storage.putBytes(URI.create("s3://bucket/swap/a"), other);
    try (ObjectStorage ranged = ObjectStorage.create(server.settings(), 1024 * 1024, 2)) {
      StorageException e = assertThrows(StorageException.class, () -> ranged.download(listed, dir.resolve("a")));
      assertTrue(e.getMessage().contains("changed"), e.getMessage());
    }
  }

  @Test
  void conditionalWritesReturnTheETagThatGetIfExistsSeesAndDeleteRemoves() {
    URI lease = URI.create("s3://bucket/conditional/_lease.json");
    assertEquals(null, storage.getIfExists(lease));
    String first = storage.putIfAbsent(lease, "one".getBytes(StandardCharsets.UTF_8));
    ObjectStorage.StoredObject stored = storage.getIfExists(lease);
    assertArrayEquals("one".getBytes(StandardCharsets.UTF_8), stored.bytes());
    assertEquals(first, stored.eTag());
    String second = storage.putIfMatch(lease, "two".getBytes(StandardCharsets.UTF_8), first);
    assertEquals(second, storage.getIfExists(lease).eTag());
    storage.delete(lease);
    assertEquals(null, storage.getIfExists(lease));
    storage.delete(lease);
  }

  @Test
  void getIfExistsOnAMissingBucketSaysSo() {
    StorageException e = assertThrows(StorageException.class, () -> storage.getIfExists(URI.create("s3://no-such-bucket-x/a")));
    assertTrue(e.getMessage().contains("no-such-bucket-x"), e.getMessage());
  }
}
