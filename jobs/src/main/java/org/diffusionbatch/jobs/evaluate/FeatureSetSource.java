package org.diffusionbatch.jobs.evaluate;

import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.diffusionbatch.core.metrics.FeatureReservoir;
import org.diffusionbatch.core.metrics.FeatureStatistics;
import org.diffusionbatch.core.metrics.GaussianStatistics;
import org.diffusionbatch.core.metrics.NpyArray;
import org.diffusionbatch.jobs.spark.ConfigurationException;

/**
 * One side of a comparison as given on the command line, read as far as can be done before any
 * feature work: a {@code .npz} statistics file or {@code .npy} feature matrix is read now (and its
 * dimension checked), an image set only has its schema read; {@link #resolve} passes over it.
 */
public final class FeatureSetSource {
  private final String option;
  private final String uri;
  private final FeatureSet fromFile; // null for an image set
  private final ImageSets.ImageSet images; // null for a file

  private FeatureSetSource(String option, String uri, FeatureSet fromFile, ImageSets.ImageSet images) {
    this.option = option;
    this.uri = uri;
    this.fromFile = fromFile;
    this.images = images;
  }

  static boolean isFile(String uri) {
    return StatsFiles.isStatistics(uri) || StatsFiles.isFeatures(uri);
  }

  /**
   * Reads a statistics or feature file now, or an image set's schema.
   *
   * @param spark null when no Spark session is open (then only files can be read)
   * @param kid null without KID; else a feature matrix also fills a reservoir
   */
  public static FeatureSetSource open(SparkSession spark, Configuration hadoop, String option, String uri, String imageColumn,
      EvaluateOptions.KidSettings kid) {
    if (StatsFiles.isStatistics(uri)) {
      GaussianStatistics stats = StatsFiles.readStatistics(hadoop, option, uri);
      return new FeatureSetSource(option, uri, new FeatureSet(uri, FeatureSet.Kind.STATISTICS_FILE, stats, null, 0), null);
    }
    if (StatsFiles.isFeatures(uri)) {
      NpyArray array = StatsFiles.readFeatures(hadoop, option, uri);
      int dim = array.columns();
      float[] rows = array.toFloats();
      FeatureStatistics stats = FeatureStatistics.of(rows, array.rows(), dim);
      if (stats.count() < 2) {
        throw new ConfigurationException(option + " " + uri + " has " + stats.count()
            + " finite feature row(s); statistics need at least 2");
      }
      FeatureReservoir reservoir = null;
      if (kid != null) {
        reservoir = new FeatureReservoir(kid.maxFeatures(), dim, kid.seed());
        for (int r = 0; r < array.rows(); r++) {
          reservoir.offer(r, java.util.Arrays.copyOfRange(rows, r * dim, (r + 1) * dim));
        }
      }
      return new FeatureSetSource(option, uri, new FeatureSet(uri, FeatureSet.Kind.FEATURE_MATRIX, stats.toGaussian(),
          reservoir, stats.nonFiniteRows()), null);
    }
    if (spark == null) {
      throw new IllegalStateException("an image set needs a Spark session");
    }
    return new FeatureSetSource(option, uri, null, ImageSets.read(spark, option, uri, imageColumn, null, List.of()));
  }

  /** The dimension of a file's features; for an image set, the feature model's. */
  int dimension(int modelDim) {
    return fromFile == null ? modelDim : fromFile.stats().dimension();
  }

  /** Fails naming both when this side's dimension is not the model's (or the other side's). */
  public void requireDimension(int dim, String against) {
    if (fromFile != null && fromFile.stats().dimension() != dim) {
      throw new ConfigurationException(option + " " + uri + " holds " + fromFile.stats().dimension() + "-d features but "
          + against + " " + dim + "-d; compare features of the same model");
    }
  }

  /** Counts an image set's rows before any feature work: statistics need at least 2. */
  public void requireTwoImages() {
    if (images != null) {
      long n = images.rows().count();
      if (n < 2) {
        throw new ConfigurationException(option + " " + uri + " holds " + n + " image(s); statistics need at least 2");
      }
    }
  }

  /** The set's statistics (and sample), passing over an image set on the executors. */
  public FeatureSet resolve(PassSettings imageSettings, Integer partitions) {
    if (fromFile != null) {
      return fromFile;
    }
    PassSettings settings = new PassSettings(imageSettings.models(), imageSettings.device(), imageSettings.batchSize(),
        imageSettings.featureDim(), false, imageSettings.reservoirSize(), imageSettings.seed(), false, 0);
    SetAccumulator all = FeaturePass.run(images, settings, partitions).values().stream()
        .reduce(SetAccumulator::merge).orElseThrow();
    if (all.features().count() < 2) {
      throw new ConfigurationException(option + " " + uri + " has " + all.features().count()
          + " image(s) with usable features (" + all.unreadable() + " unreadable, " + all.nonFinite()
          + " with non-finite features); statistics need at least 2");
    }
    return new FeatureSet(uri, FeatureSet.Kind.IMAGES, all.features().toGaussian(), all.reservoir(),
        all.unreadable() + all.nonFinite());
  }
}
