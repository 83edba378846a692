package org.diffusionbatch.jobs.sweep;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.diffusionbatch.core.metrics.ClipEncoders;
import org.diffusionbatch.core.metrics.FeatureReservoir;
import org.diffusionbatch.core.metrics.FrechetDistance;
import org.diffusionbatch.core.metrics.GaussianStatistics;
import org.diffusionbatch.core.metrics.ImageFeatureExtractor;
import org.diffusionbatch.core.metrics.KernelInceptionDistance;
import org.diffusionbatch.core.metrics.NpzStatistics;
import org.diffusionbatch.jobs.evaluate.EvaluateOptions;
import org.diffusionbatch.jobs.evaluate.FeatureSet;
import org.diffusionbatch.jobs.evaluate.FeatureSetSource;
import org.diffusionbatch.jobs.evaluate.MetricModels;
import org.diffusionbatch.jobs.evaluate.PassSettings;
import org.diffusionbatch.jobs.evaluate.SetAccumulator;
import org.diffusionbatch.jobs.spark.ConfigurationException;
import org.diffusionbatch.jobs.model.ExecutorModels;

/**
 * The sweep's scoring over core's metrics and evaluate's feature passes: the feature model (and
 * CLIP) checked on the driver, the reference read as evaluate reads it ({@code .npz} statistics,
 * {@code .npy} features, or an image set passed over on the executors) and saved under the output
 * so a resumed sweep scores against exactly the same numbers; then FID, KID and CLIP score per cell.
 */
final class MetricsScoring {
  /** Seeds the kept KID sample of every set (cells and reference alike) and the KID subsets. */
  static final long KID_SEED = 0;
  static final String REFERENCE_STATS = "reference/stats.npz";
  static final String REFERENCE_SAMPLE = "reference/kid-sample.bin";

  private final PassSettings pass;
  private final FeatureSetSource source;
  private final KernelInceptionDistance.Options kid;
  private final Map<String, Object> description;
  private GaussianStatistics reference;
  private FeatureReservoir referenceSample; // null: the reference has statistics only, no KID

  private MetricsScoring(PassSettings pass, FeatureSetSource source, KernelInceptionDistance.Options kid, Map<String, Object> description) {
    this.pass = pass;
    this.source = source;
    this.kid = kid;
    this.description = description;
  }

  /**
   * Loads the feature model (and CLIP) on the driver and checks the reference's dimension against
   * it (exit 2 on a mismatch): no feature work yet.
   */
  static MetricsScoring open(SparkSession spark, SweepOptions options, ModelRuntime runtime) {
    MetricModels models = new MetricModels(options.features(), null, options.clip(), runtime.intraOpThreads(), runtime.modelCache(),
        runtime.s3().endpoint(), runtime.s3().region(), runtime.s3().pathStyle());
    ImageFeatureExtractor features = load("--features", options.features(),
        () -> ExecutorModels.get(models.key(models.features(), null), ImageFeatureExtractor.class, () -> models.loadFeatures(null)));
    if (options.clip() != null) {
      load("--clip", options.clip(), () -> ExecutorModels.get(models.key(models.clip(), null), ClipEncoders.class, () -> models.loadClip(null)));
    }
    int dim = features.dimension();
    PassSettings pass = new PassSettings(models, options.device(), options.batchSize(), dim, options.clip() != null,
        options.kidSample(), KID_SEED, true, 0);
    KernelInceptionDistance.Options kid = new KernelInceptionDistance.Options(options.kidSubsets(), options.kidSubsetSize(), KID_SEED);
    FeatureSetSource source = FeatureSetSource.open(spark, spark.sparkContext().hadoopConfiguration(), "--reference", options.reference(),
        null, new EvaluateOptions.KidSettings(options.kidSubsets(), options.kidSubsetSize(), options.kidSample(), KID_SEED));
    source.requireDimension(dim, "--features " + options.features() + " gives");

    Map<String, Object> description = new LinkedHashMap<>();
    description.put("features", options.features());
    description.put("features_digest", features.digest());
    description.put("feature_dimension", dim);
    description.put("preprocessing", features.preprocessing().label());
    description.put("reference", options.reference());
    description.put("clip", options.clip());
    description.put("kid_subsets", options.kidSubsets());
    description.put("kid_subset_size", options.kidSubsetSize());
    description.put("kid_sample", options.kidSample());
    description.put("kid_seed", KID_SEED);

    return new MetricsScoring(pass, source, kid, description);
  }

  /**
   * Reads the reference: from the output when an earlier run of this sweep saved it (so resumed
   * cells are scored against exactly the same numbers), else from {@code --reference}, passing
   * over an image set on the executors.
   */
  void loadReference(SweepOutput output, boolean reuseSaved) throws IOException {
    if (reuseSaved && output.exists(REFERENCE_STATS)) {
      reference = NpzStatistics.read(new ByteArrayInputStream(output.read(REFERENCE_STATS)), output.at(REFERENCE_STATS));
      referenceSample = output.exists(REFERENCE_SAMPLE) ? FeatureReservoir.fromBytes(output.read(REFERENCE_SAMPLE)) : null;
      return;
    }
    source.requireTwoImages();
    FeatureSet set = source.resolve(pass, null);
    reference = set.stats();
    referenceSample = set.reservoir();
  }

  /** Saves the reference the cells are scored against (statistics, KID sample) under the output. */
  void saveReference(SweepOutput output) throws IOException {
    output.write(REFERENCE_STATS, npz(reference));
    if (referenceSample != null) {
      output.write(REFERENCE_SAMPLE, referenceSample.toBytes());
    }
  }

  PassSettings pass() {
    return pass;
  }

  Map<String, Object> describe() {
    return description;
  }

  /** FID of the cell and of each of its groups, KID from the kept samples (when the reference has one), CLIP score. */
  CellScores score(SetAccumulator full, List<SetAccumulator> groups) {
    double fid = FrechetDistance.between(full.features().toGaussian(), reference).value();
    List<Double> groupFids = new ArrayList<>();
    for (SetAccumulator group : groups) {
      groupFids.add(FrechetDistance.between(group.features().toGaussian(), reference).value());
    }
    Double kidMean = null;
    Double kidStd = null;
    Integer kidN = null;
    if (referenceSample != null && full.reservoir() != null) {
      KernelInceptionDistance.Result k = KernelInceptionDistance.estimate(full.reservoir(), referenceSample, kid);
      kidMean = k.mean();
      kidStd = k.std();
      kidN = k.subsetSize();
    }
    Double clip = full.clip() == null || full.clip().count() == 0 ? null : full.clip().score();
    return new CellScores(fid, groupFids, kidMean, kidStd, kidN, clip, full.clip() == null ? 0 : full.clip().count());
  }

  /** The set's statistics as a pytorch-fid / clean-fid {@code .npz}. */
  static byte[] statisticsNpz(SetAccumulator set) {
    return npz(set.features().toGaussian());
  }

  private static byte[] npz(GaussianStatistics stats) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      NpzStatistics.write(out, stats.mean(), stats.covariance().getData(), stats.dimension());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static <T> T load(String option, String uri, java.util.function.Supplier<T> load) {
    try {
      return load.get();
    } catch (RuntimeException e) {
      throw new ConfigurationException(option + " " + uri + " cannot be loaded: " + e.getMessage(), e);
    }
  }
}
