package org.diffusionbatch.core.metrics;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.ejml.data.DMatrixRMaj;

/**
 * FID statistics files in the format of pytorch-fid and clean-fid: a {@code .npz} (zip of
 * {@code .npy} members) holding {@code mu} (float64 [D]) and {@code sigma} (float64 [D, D]).
 * Written as {@code np.savez} does (uncompressed members {@code mu.npy}, {@code sigma.npy});
 * read whether stored or deflated ({@code np.savez_compressed}, which both tools also use), and
 * with float32 {@code mu} (clean-fid takes the mean of float32 features). Other members are
 * ignored. The format has no row count, so statistics read here have an unknown count.
 */
public final class NpzStatistics {
  private NpzStatistics() {}

  /** Reads {@code mu} and {@code sigma} from a {@code .npz} file. */
  public static GaussianStatistics read(Path file) {
    Map<String, NpyArray> arrays = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        String name = memberName(e.getName());
        names.add(name);
        if (name.equals("mu") || name.equals("sigma")) {
          try (InputStream in = new BufferedInputStream(zip.getInputStream(e), 1 << 16)) {
            arrays.put(name, Npy.read(in, file + ":" + e.getName()));
          }
        }
      }
    } catch (java.util.zip.ZipException e) {
      throw new IllegalArgumentException(file + " is not a .npz (zip) file: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return toStatistics(arrays, names, file.toString());
  }

  /** Reads {@code mu} and {@code sigma} from a {@code .npz} stream (e.g. an S3 object). */
  public static GaussianStatistics read(InputStream stream, String source) throws IOException {
    Map<String, NpyArray> arrays = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(stream, 1 << 16))) {
      ZipEntry e;
      while ((e = zip.getNextEntry()) != null) {
        String name = memberName(e.getName());
        names.add(name);
        if (name.equals("mu") || name.equals("sigma")) {
          arrays.put(name, Npy.read(zip, source + ":" + e.getName()));
        }
      }
    }
    return toStatistics(arrays, names, source);
  }

  /**
   * Writes {@code mu} and {@code sigma} as float64, like {@code np.savez(file, mu=..., sigma=...)}.
   * The file appears complete or not at all (written next to it, then moved into place).
   */
  public static void write(Path file, GaussianStatistics stats) {
    int d = stats.dimension();
    DMatrixRMaj sigma = stats.covariance();
    double[] sigmaValues = sigma.data.length == d * d ? sigma.data
        : java.util.Arrays.copyOf(sigma.data, d * d);
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      // Not Files.createTempFile: it makes owner-only files, and statistics are meant to be shared.
      tmp = dir.resolve("." + file.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
      try (OutputStream out = new BufferedOutputStream(
          Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 16)) {
        write(out, stats.mean(), sigmaValues, d);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write statistics to " + file + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the move succeeded or the original error is the one to report
        }
      }
    }
  }

  /** Writes the {@code .npz} bytes to a stream (not closed). */
  public static void write(OutputStream out, double[] mu, double[] sigmaRowsMajor, int dimension)
      throws IOException {
    if (mu.length != dimension || sigmaRowsMajor.length != dimension * dimension) {
      throw new IllegalArgumentException("mu has " + mu.length + " values and sigma "
          + sigmaRowsMajor.length + "; expected " + dimension + " and " + dimension + "x" + dimension);
    }
    ZipOutputStream zip = new ZipOutputStream(out);
    putStored(zip, "mu.npy", Npy.toBytes(mu, dimension));
    putStored(zip, "sigma.npy", Npy.toBytes(sigmaRowsMajor, dimension, dimension));
    zip.finish();
  }

  private static void putStored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(bytes.length);
    entry.setCompressedSize(bytes.length);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    entry.setCrc(crc.getValue());
    zip.putNextEntry(entry);
    zip.write(bytes);
    zip.closeEntry();
  }

  private static String memberName(String entry) {
    return entry.endsWith(".npy") ? entry.substring(0, entry.length() - 4) : entry;
  }

  private static GaussianStatistics toStatistics(Map<String, NpyArray> arrays, List<String> names,
      String source) {
    for (String key : List.of("mu", "sigma")) {
      if (!arrays.containsKey(key)) {
        throw new IllegalArgumentException(source + " has no '" + key + "' array (it holds "
            + (names.isEmpty() ? "nothing" : String.join(", ", names))
            + "); FID statistics files (pytorch-fid, clean-fid) hold 'mu' and 'sigma'");
      }
    }
    NpyArray mu = arrays.get("mu");
    NpyArray sigma = arrays.get("sigma");
    for (NpyArray a : List.of(mu, sigma)) {
      if (a.dtype() == Npy.DType.UINT8) {
        throw new IllegalArgumentException(source + ": 'mu' and 'sigma' must be floating point, found uint8");
      }
    }
    if (mu.rank() != 1) {
      throw new IllegalArgumentException(source + ": 'mu' must be 1-D [D], found shape "
          + java.util.Arrays.toString(mu.shape()));
    }
    int d = mu.shape()[0];
    if (sigma.rank() != 2 || sigma.shape()[0] != d || sigma.shape()[1] != d) {
      throw new IllegalArgumentException(source + ": 'sigma' must be [" + d + ", " + d
          + "] to match 'mu', found shape " + java.util.Arrays.toString(sigma.shape()));
    }
    return new GaussianStatistics(mu.values(), sigma.toMatrix(), GaussianStatistics.UNKNOWN_COUNT);
  }
}
