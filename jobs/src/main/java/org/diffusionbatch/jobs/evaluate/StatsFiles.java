package org.diffusionbatch.jobs.evaluate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.diffusionbatch.core.metrics.GaussianStatistics;
import org.diffusionbatch.core.metrics.Npy;
import org.diffusionbatch.core.metrics.NpyArray;
import org.diffusionbatch.core.metrics.NpzStatistics;

/**
 * Statistics ({@code .npz}: pytorch-fid's and clean-fid's {@code mu}/{@code sigma}) and feature
 * matrices ({@code .npy}) read and written wherever Hadoop reaches: local files, {@code file:},
 * {@code s3a://}.
 */
final class StatsFiles {
  private StatsFiles() {}

  static boolean isStatistics(String uri) {
    return uri.toLowerCase(Locale.ROOT).endsWith(".npz");
  }

  static boolean isFeatures(String uri) {
    return uri.toLowerCase(Locale.ROOT).endsWith(".npy");
  }

  static GaussianStatistics readStatistics(Configuration hadoop, String option, String uri) {
    try (InputStream in = open(hadoop, option, uri)) {
      return NpzStatistics.read(in, uri);
    } catch (IOException e) {
      throw new IllegalArgumentException(option + " " + uri + " cannot be read: " + e.getMessage(), e);
    }
  }

  static NpyArray readFeatures(Configuration hadoop, String option, String uri) {
    NpyArray array;
    try (InputStream in = open(hadoop, option, uri)) {
      array = Npy.read(in, uri);
    } catch (IOException e) {
      throw new IllegalArgumentException(option + " " + uri + " cannot be read: " + e.getMessage(), e);
    }
    if (array.rank() != 2) {
      throw new IllegalArgumentException(option + " " + uri + " holds an array of shape " + java.util.Arrays.toString(array.shape())
          + "; a feature matrix has two dimensions, [images, features]");
    }
    return array;
  }

  private static InputStream open(Configuration hadoop, String option, String uri) throws IOException {
    Path path = new Path(uri);
    FileSystem fs = path.getFileSystem(hadoop);
    if (!fs.exists(path)) {
      throw new IllegalArgumentException(option + " " + uri + " does not exist");
    }
    return fs.open(path);
  }

  /** Writes {@code uri} (overwriting), creating its folder. */
  static void writeStatistics(Configuration hadoop, String uri, GaussianStatistics stats) {
    Path path = new Path(uri);
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      fs.setWriteChecksum(false); // no .crc files beside statistics on local disks
      int d = stats.dimension();
      try (OutputStream out = fs.create(path, true)) {
        NpzStatistics.write(out, stats.mean(), java.util.Arrays.copyOf(stats.covariance().data, d * d), d);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write statistics to " + uri + ": " + e.getMessage(), e);
    }
  }
}
