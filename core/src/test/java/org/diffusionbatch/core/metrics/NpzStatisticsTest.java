package org.diffusionbatch.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzStatisticsTest {
  @Test
  void readsNumpySavezFiles() throws Exception {
    GaussianStatistics s = NpzStatistics.read(NpyTest.bundled("fid_small_d8_s5.stats1.npz"));
    assertArrayEquals(Npy.read(NpyTest.bundled("fid_small_d8_s5.mu1.npy")).values(), s.mean());
    assertArrayEquals(Npy.read(NpyTest.bundled("fid_small_d8_s5.sigma1.npy")).values(),
        Arrays.copyOf(s.covariance().data, 64));
    assertEquals(GaussianStatistics.UNKNOWN_COUNT, s.count());
    try (InputStream in = Files.newInputStream(NpyTest.bundled("fid_small_d8_s5.stats1.npz"))) {
      assertArrayEquals(s.mean(), NpzStatistics.read(in, "stream").mean());
    }
  }

  @Test
  void readsCompressedFilesWithAFloat32MeanAsCleanFidWritesThem() throws Exception {
    GaussianStatistics s = NpzStatistics.read(NpyTest.bundled("fid_small_d8_s5.stats1.compressed.npz"));
    double[] mu = Npy.read(NpyTest.bundled("fid_small_d8_s5.mu1.npy")).values();
    for (int i = 0; i < mu.length; i++) {
      assertEquals((float) mu[i], s.mean()[i], 0);
    }
    assertArrayEquals(Npy.read(NpyTest.bundled("fid_small_d8_s5.sigma1.npy")).values(),
        Arrays.copyOf(s.covariance().data, 64));
  }

  @Test
  void writesUncompressedMuAndSigmaThatReadBackExactly(@TempDir Path dir) throws Exception {
    GaussianStatistics s = NpzStatistics.read(NpyTest.bundled("fid_small_d8_s5.stats2.npz"));
    Path out = dir.resolve("ref.npz");
    NpzStatistics.write(out, s);
    GaussianStatistics back = NpzStatistics.read(out);
    assertArrayEquals(s.mean(), back.mean());
    assertArrayEquals(s.covariance().data, back.covariance().data);
    try (ZipFile zip = new ZipFile(out.toFile())) {
      for (String name : new String[] {"mu.npy", "sigma.npy"}) {
        ZipEntry e = zip.getEntry(name);
        assertEquals(ZipEntry.STORED, e.getMethod(), name);
      }
      // each member holds the bytes np.save writes
      byte[] sigma = zip.getInputStream(zip.getEntry("sigma.npy")).readAllBytes();
      assertArrayEquals(Files.readAllBytes(NpyTest.bundled("fid_small_d8_s5.sigma2.npy")), sigma);
    }
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file is left behind");
    }
    // shareable like any file the user creates (a temp file would be owner-only)
    Path plain = Files.writeString(dir.resolve("plain.txt"), "x");
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out));
  }

  @Test
  void filesWithoutMuAndSigmaOrWithTheWrongShapesAreRefused(@TempDir Path dir) throws Exception {
    Path noSigma = dir.resolve("feats.npz");
    try (OutputStream out = Files.newOutputStream(noSigma); ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("mu.npy"));
      Npy.write(zip, new double[] {1, 2}, 2);
      zip.putNextEntry(new ZipEntry("feats.npy"));
      Npy.write(zip, new float[] {1, 2, 3, 4}, 2, 2);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NpzStatistics.read(noSigma));
    assertTrue(e.getMessage().contains("no 'sigma' array (it holds mu, feats)"), e.getMessage());

    Path badShape = dir.resolve("bad.npz");
    try (OutputStream out = Files.newOutputStream(badShape); ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("mu.npy"));
      Npy.write(zip, new double[] {1, 2, 3}, 3);
      zip.putNextEntry(new ZipEntry("sigma.npy"));
      Npy.write(zip, new double[] {1, 0, 0, 1}, 2, 2);
    }
    e = assertThrows(IllegalArgumentException.class, () -> NpzStatistics.read(badShape));
    assertTrue(e.getMessage().contains("'sigma' must be [3, 3]"), e.getMessage());

    Path notZip = dir.resolve("x.npz");
    Files.writeString(notZip, "hello");
    e = assertThrows(IllegalArgumentException.class, () -> NpzStatistics.read(notZip));
    assertTrue(e.getMessage().contains("not a .npz (zip) file"), e.getMessage());
  }
}
