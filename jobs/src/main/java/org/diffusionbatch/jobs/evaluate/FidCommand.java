package org.diffusionbatch.jobs.evaluate;

import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.diffusionbatch.core.metrics.FrechetDistance;
import org.diffusionbatch.core.metrics.ImageFeatureExtractor;
import org.diffusionbatch.core.metrics.KernelInceptionDistance;
import org.diffusionbatch.core.metrics.Preprocessing;
import org.diffusionbatch.core.model.ModelException;
import org.diffusionbatch.jobs.spark.ConfigurationException;
import org.diffusionbatch.jobs.spark.Device;
import org.diffusionbatch.jobs.spark.StorageUris;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fid A B}: the Fréchet distance between two sets, like {@code python -m pytorch_fid A B}.
 * Each set is a {@code .npz} statistics file, a {@code .npy} feature matrix, or an image set (a
 * Parquet dataset with an image column, or a folder of PNG/JPEG files) whose features a local
 * Spark job computes with {@code --features}. The last line printed is the result:
 * {@code FID: <value>} (and {@code KID: <mean> ± <std>}) with the sample sizes. Exit codes: 0, 2
 * bad arguments or data, 1 failure.
 */
@Command(
    name = "fid",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "FID (and KID) between two sets, like python -m pytorch_fid A B; each a .npz statistics file,"
        + " a .npy feature matrix or an image set (Parquet dataset or folder of PNG/JPEG, with --features).")
public final class FidCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(FidCommand.class);

  @Parameters(index = "0", paramLabel = "A", description = "First set: .npz, .npy, Parquet dataset or image folder.")
  String first;

  @Parameters(index = "1", paramLabel = "B", description = "Second set, as A.")
  String second;

  @Option(names = "--features", paramLabel = "MODEL", description = "Image feature model (needed when A or B is an image set).")
  String features;

  @Option(names = "--preprocess", paramLabel = "MODE", description = "Resizing for the feature model: clean, legacy-pytorch or none (default: the model's).")
  String preprocess;

  @Option(names = "--image-column", paramLabel = "NAME", description = "Image column of a Parquet image set (default: 'image', else the only one).")
  String imageColumn;

  @Mixin KidOptions kid = new KidOptions();

  @Mixin SparkRunOptions run = new SparkRunOptions();

  @Override
  public Integer call() {
    SparkSession spark = null;
    try {
      String a = StorageUris.forSpark("A", first);
      String b = StorageUris.forSpark("B", second);
      EvaluateOptions.KidSettings kidSettings = kid.settings();
      run.check();
      boolean images = !FeatureSetSource.isFile(a) || !FeatureSetSource.isFile(b);
      if (images && features == null) {
        throw new IllegalArgumentException("an image set (" + (FeatureSetSource.isFile(a) ? second : first)
            + ") needs --features MODEL to compute its features");
      }
      for (String uri : List.of(a, b)) {
        if (kidSettings != null && StatsFiles.isStatistics(uri)) {
          throw new IllegalArgumentException("--kid needs feature vectors, but " + uri
              + " is a statistics file (mu, sigma only); give a .npy feature matrix or the images");
        }
      }
      Configuration hadoop;
      if (images) {
        spark = MetricsSession.open("diffusion-batch fid", run.master == null ? "local[*]" : run.master, run.s3.settings(),
            run.conf);
        hadoop = spark.sparkContext().hadoopConfiguration();
      } else {
        hadoop = new Configuration();
        MetricsSession.defaults(run.s3.settings()).forEach((k, v) -> hadoop.set(k.replaceFirst("^spark\\.hadoop\\.", ""), v));
      }
      FeatureSetSource sourceA = FeatureSetSource.open(spark, hadoop, "A", a, imageColumn, kidSettings);
      FeatureSetSource sourceB = FeatureSetSource.open(spark, hadoop, "B", b, imageColumn, kidSettings);
      MetricModels models = run.models(EvaluateCommand.modelUri("--features", features),
          preprocess == null ? null : Preprocessing.parse(preprocess), null);
      int dim;
      if (images) {
        ImageFeatureExtractor extractor = loadFeatures(models);
        dim = extractor.dimension();
        System.out.println("features: " + models.features() + ", " + extractor.describe());
        sourceA.requireDimension(dim, "the feature model " + models.features() + " gives");
        sourceB.requireDimension(dim, "the feature model " + models.features() + " gives");
        sourceA.requireTwoImages();
        sourceB.requireTwoImages();
      } else {
        dim = sourceA.dimension(0);
        sourceB.requireDimension(dim, "A " + first + " holds");
      }
      PassSettings settings = new PassSettings(models, Device.parse(run.device), run.batchSize, dim, false,
          kidSettings == null ? 0 : kidSettings.maxFeatures(), kidSettings == null ? 0 : kidSettings.seed(), false, 0);
      FeatureSet setA = sourceA.resolve(settings, run.partitions);
      FeatureSet setB = sourceB.resolve(settings, run.partitions);
      System.out.println("A: " + first + " (" + setA.sizeText() + ")");
      System.out.println("B: " + second + " (" + setB.sizeText() + ")");
      FrechetDistance.Result fid = FrechetDistance.between(setA.stats(), setB.stats());
      StringBuilder last = new StringBuilder("FID: ").append(Summary.plain(fid.value()));
      if (kidSettings != null) {
        KernelInceptionDistance.Result k = KernelInceptionDistance.estimate(setA.reservoir(), setB.reservoir(),
            new KernelInceptionDistance.Options(kidSettings.subsets(), kidSettings.subsetSize(), kidSettings.seed()));
        last.append("  KID: ").append(Summary.plain(k.mean())).append(" ± ").append(Summary.plain(k.std()));
        last.append("  (A: ").append(setA.sizeText()).append(", B: ").append(setB.sizeText()).append("; KID: ")
            .append(k.subsets()).append(" subset").append(k.subsets() == 1 ? "" : "s").append(" of ").append(k.subsetSize())
            .append(" from ").append(k.n1()).append(" and ").append(k.n2()).append(')');
      } else {
        last.append("  (A: ").append(setA.sizeText()).append(", B: ").append(setB.sizeText()).append(')');
      }
      if (fid.offsetUsed()) {
        last.append(" [1e-6 added to both covariance diagonals: their product is singular]");
      }
      System.out.println(last);
      return EvaluateCommand.EXIT_OK;
    } catch (IllegalArgumentException | ConfigurationException | ModelException e) {
      System.err.println("fid: " + e.getMessage());
      return EvaluateCommand.EXIT_BAD_ARGUMENTS;
    } catch (RuntimeException e) {
      LOG.error("fid failed", e);
      System.err.println("fid: failed: " + Failures.rootMessage(e));
      return EvaluateCommand.EXIT_FAILED;
    } finally {
      if (spark != null) {
        spark.stop();
      }
    }
  }

  private static ImageFeatureExtractor loadFeatures(MetricModels models) {
    try {
      return ExecutorMetricModels.get(models.key(models.features(), null), () -> models.loadFeatures(null));
    } catch (ModelException | IllegalArgumentException e) {
      throw new ConfigurationException("--features " + models.features() + ": " + e.getMessage(), e);
    }
  }
}
