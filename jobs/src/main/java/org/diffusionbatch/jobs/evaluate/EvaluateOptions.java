package org.diffusionbatch.jobs.evaluate;

import java.util.List;
import java.util.Map;
import org.diffusionbatch.core.storage.S3Settings;
import org.diffusionbatch.jobs.spark.Device;

/**
 * Everything {@code evaluate} was asked to do, checked for form (not yet against models or data).
 *
 * @param images the image set as Spark reads it
 * @param reference null, a {@code .npz} statistics file, a {@code .npy} feature matrix or an image set
 * @param saveStats where to write the statistics of all --images ({@code .npz}), or null
 * @param output the folder for the metrics table and per-group statistics, or null (only --save-stats)
 * @param kid KID settings, or null without --kid
 * @param master null under spark-submit
 */
public record EvaluateOptions(
    String images,
    String imageColumn,
    String promptColumn,
    List<String> groupBy,
    MetricModels models,
    String reference,
    String referenceImageColumn,
    String saveStats,
    String output,
    KidSettings kid,
    int batchSize,
    Integer partitions,
    Device device,
    boolean overwrite,
    S3Settings s3,
    String master,
    Map<String, String> conf,
    List<String> arguments) {

  /** --kid: subsets, their size, and how many feature vectors each set keeps to draw them from. */
  public record KidSettings(int subsets, int subsetSize, int maxFeatures, long seed) {}
}
