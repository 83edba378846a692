package org.diffusionbatch.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
  static Path bundled(String file) throws Exception {
    return Paths.get(NpyTest.class.getResource("/conformance/metrics/" + file).toURI());
  }

  @Test
  void readsWhatNumpyWrote() throws Exception {
    NpyArray features = Npy.read(bundled("fid_small_d8_s5.features1.npy"));
    assertEquals(Npy.DType.FLOAT32, features.dtype());
    assertArrayEquals(new int[] {120, 8}, features.shape());
    NpyArray mu = Npy.read(bundled("fid_small_d8_s5.mu1.npy"));
    assertEquals(Npy.DType.FLOAT64, mu.dtype());
    assertArrayEquals(new int[] {8}, mu.shape());
    NpyArray image = Npy.read(bundled("resize_clean_up_s5.image.npy"));
    assertEquals(Npy.DType.UINT8, image.dtype());
    assertArrayEquals(new int[] {13, 17, 3}, image.shape());
  }

  @Test
  void writesTheBytesNumpyWrites() throws Exception {
    for (String file : new String[] {"fid_small_d8_s5.mu1.npy", "fid_small_d8_s5.sigma1.npy"}) {
      byte[] numpy = Files.readAllBytes(bundled(file));
      NpyArray a = Npy.read(bundled(file));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Npy.write(out, a.values(), a.shape());
      assertArrayEquals(numpy, out.toByteArray(), file);
    }
    byte[] numpy = Files.readAllBytes(bundled("fid_small_d8_s5.features1.npy"));
    NpyArray f = Npy.read(bundled("fid_small_d8_s5.features1.npy"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Npy.write(out, f.toFloats(), f.shape());
    assertArrayEquals(numpy, out.toByteArray());
  }

  @Test
  void roundTripsFloat32AndFloat64(@TempDir Path dir) {
    float[] f = {1.5f, -2f, Float.MIN_VALUE, 3e38f, 0f, 7f};
    Npy.write(dir.resolve("f.npy"), f, 2, 3);
    NpyArray a = Npy.read(dir.resolve("f.npy"));
    assertArrayEquals(new int[] {2, 3}, a.shape());
    assertArrayEquals(f, a.toFloats());
    double[] d = {Math.PI, -1e-300, 1e300};
    Npy.write(dir.resolve("d.npy"), d, 3);
    assertArrayEquals(d, Npy.read(dir.resolve("d.npy")).values());
  }

  @Test
  void streamsAFeatureMatrixInRowBatches() throws Exception {
    NpyArray whole = Npy.read(bundled("fid_small_d8_s5.features1.npy"));
    FeatureStatistics streamed = new FeatureStatistics(8);
    long rows = Npy.forEachRowBatch(bundled("fid_small_d8_s5.features1.npy"), 25,
        (batch, n, columns) -> streamed.add(batch, n));
    assertEquals(120, rows);
    FeatureStatistics direct = new FeatureStatistics(8).add(whole.values(), 120);
    assertArrayEquals(direct.mean(), streamed.mean(), 1e-15);
  }

  @Test
  void refusesWhatItCannotReadSayingHowToResave() {
    IllegalArgumentException bigEndian = assertThrows(IllegalArgumentException.class,
        () -> Npy.readHeader(npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }"), "x.npy"));
    assertTrue(bigEndian.getMessage().contains("big-endian"), bigEndian.getMessage());
    IllegalArgumentException fortran = assertThrows(IllegalArgumentException.class,
        () -> Npy.readHeader(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }"), "x.npy"));
    assertTrue(fortran.getMessage().contains("Fortran order"), fortran.getMessage());
    IllegalArgumentException int64 = assertThrows(IllegalArgumentException.class,
        () -> Npy.readHeader(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }"), "x.npy"));
    assertTrue(int64.getMessage().contains("'<i8' is not supported"), int64.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Npy.readHeader(new ByteArrayInputStream("PK\3\4 not numpy".getBytes(StandardCharsets.US_ASCII)), "x.npy"));
    IllegalArgumentException rank3 = assertThrows(IllegalArgumentException.class,
        () -> Npy.write(new ByteArrayOutputStream(), new float[8], 2, 2, 2));
    assertTrue(rank3.getMessage().contains("only 1-D and 2-D"), rank3.getMessage());
    IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
        () -> Npy.read(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }"), "x.npy"));
    assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
  }

  private static ByteArrayInputStream npy(String header) {
    byte[] h = (header + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[10 + h.length];
    out[0] = (byte) 0x93;
    System.arraycopy("NUMPY".getBytes(StandardCharsets.US_ASCII), 0, out, 1, 5);
    out[6] = 1;
    out[8] = (byte) h.length;
    System.arraycopy(h, 0, out, 10, h.length);
    return new ByteArrayInputStream(out);
  }
}
