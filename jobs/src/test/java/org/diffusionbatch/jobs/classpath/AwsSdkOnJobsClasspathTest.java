package org.diffusionbatch.jobs.classpath;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.diffusionbatch.jobs.testing.S3ProxyFixture;
import org.junit.jupiter.api.Test;

/**
 * The jobs classpath carries one AWS SDK: the bundle hadoop-aws is built against, which also serves
 * core's S3 client (core depends on SDK modules of the same version; jobs excludes them). S3A's
 * rename copies through the SDK's transfer manager on its Netty async client, parts of the bundle
 * that core's modules do not have.
 */
class AwsSdkOnJobsClasspathTest {
  // The SDK's own classes and its event stream library, which the bundle also carries.
  private static final String SDK_PREFIX = "software/amazon/";

  @Test
  void eachAwsSdkClassIsInOneJarOnly() throws IOException {
    // Surefire runs tests from a manifest-only jar; it names the real test classpath here.
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Map<String, String> jarOfClass = new HashMap<>();
    List<String> duplicates = new ArrayList<>();
    for (String entry : classpath.split(File.pathSeparator)) {
      if (!entry.endsWith(".jar") || !new File(entry).isFile()) {
        continue;
      }
      try (ZipFile jar = new ZipFile(entry)) {
        Enumeration<? extends ZipEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
          String name = entries.nextElement().getName();
          if (name.startsWith(SDK_PREFIX) && name.endsWith(".class")) {
            String other = jarOfClass.putIfAbsent(name, entry);
            if (other != null && duplicates.size() < 5) {
              duplicates.add(name + " in " + new File(other).getName() + " and " + new File(entry).getName());
            }
          }
        }
      }
    }
    assertTrue(jarOfClass.containsKey(SDK_PREFIX + "awssdk/services/s3/S3Client.class"),
        "no AWS SDK S3 client on the test classpath: " + classpath);
    assertTrue(jarOfClass.containsKey(SDK_PREFIX + "awssdk/transfer/s3/S3TransferManager.class"),
        "S3A needs the SDK's transfer manager, which is not on the classpath");
    assertTrue(duplicates.isEmpty(), "AWS SDK classes in two jars (two SDKs on one classpath): " + duplicates);
  }

  @Test
  void s3aRenameCopiesThroughTheTransferManager() throws Exception {
    byte[] written = "a red circle\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
    try (S3ProxyFixture s3 = new S3ProxyFixture()) {
      s3.createBucket("data");
      Configuration conf = new Configuration();
      conf.set("fs.s3a.endpoint", s3.endpoint());
      conf.set("fs.s3a.endpoint.region", S3ProxyFixture.REGION);
      conf.set("fs.s3a.path.style.access", "true");
      conf.set("fs.s3a.connection.ssl.enabled", "false");
      conf.set("fs.s3a.change.detection.mode", "none");
      conf.set("fs.s3a.access.key", S3ProxyFixture.ACCESS_KEY);
      conf.set("fs.s3a.secret.key", S3ProxyFixture.SECRET_KEY);
      try (FileSystem fs = FileSystem.newInstance(URI.create("s3a://data/"), conf)) {
        Path first = new Path("s3a://data/in/written.txt");
        try (FSDataOutputStream out = fs.create(first)) {
          out.write(written);
        }
        // S3A renames by copying with the transfer manager (async client), then deleting.
        Path renamed = new Path("s3a://data/out/renamed.txt");
        assertTrue(fs.rename(first, renamed), "rename " + first + " -> " + renamed);
        assertFalse(fs.exists(first), first + " still exists after the rename");
        assertArrayEquals(written, read(fs, renamed));
      }
    }
  }

  private static byte[] read(FileSystem fs, Path path) throws IOException {
    try (InputStream in = fs.open(path)) {
      return in.readAllBytes();
    }
  }
}
