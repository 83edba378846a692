package org.diffusionbatch.jobs.evaluate;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.diffusionbatch.core.metrics.ClipEncoders;
import org.diffusionbatch.core.metrics.FeatureStatistics;
import org.diffusionbatch.core.metrics.FrechetDistance;
import org.diffusionbatch.core.metrics.GaussianStatistics;
import org.diffusionbatch.core.metrics.ImageFeatureExtractor;
import org.diffusionbatch.core.metrics.KernelInceptionDistance;
import org.diffusionbatch.core.model.ModelException;
import org.diffusionbatch.jobs.model.ExecutorModels;
import org.diffusionbatch.jobs.spark.ConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the evaluate job, on the driver: check everything that can be checked before any
 * work (models load and run, the reference has the model's dimension, every group has at least 2
 * images; exit 2), compute features and statistics on the executors, compute the metrics, and
 * write the table and the statistics into a staging folder that is renamed into place last, so a
 * failed run leaves nothing half-written.
 */
final class EvaluateRun {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateRun.class);

  private final EvaluateOptions options;

  EvaluateRun(EvaluateOptions options) {
    this.options = options;
  }

  int execute() {
    SparkSession spark = null;
    try {
      spark = MetricsSession.open("diffusion-batch evaluate", options.master(), options.s3(), options.conf());
      return evaluate(spark);
    } catch (ConfigurationException | IllegalArgumentException | ModelException e) {
      System.err.println("evaluate: " + e.getMessage());
      return EvaluateCommand.EXIT_BAD_ARGUMENTS;
    } catch (Exception e) {
      LOG.error("evaluate failed", e);
      System.err.println("evaluate: failed: " + Failures.rootMessage(e));
      return EvaluateCommand.EXIT_FAILED;
    } finally {
      if (spark != null) {
        spark.stop();
      }
    }
  }

  private int evaluate(SparkSession spark) throws IOException {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    refuseExisting(hadoop);
    ImageSets.ImageSet images = ImageSets.read(spark, "--images", options.images(), options.imageColumn(),
        options.promptColumn(), options.groupBy());
    MetricModels models = options.models();
    ImageFeatureExtractor extractor = models.features() == null ? null : load("--features", models.features(),
        () -> ExecutorMetricModels.get(models.key(models.features(), null), () -> models.loadFeatures(null)));
    ClipEncoders clip = models.clip() == null ? null : load("--clip", models.clip(),
        () -> ExecutorMetricModels.get(models.key(models.clip(), null), () -> models.loadClip(null)));
    int dim = extractor == null ? 0 : extractor.dimension();
    FeatureSetSource reference = null;
    if (options.reference() != null) {
      reference = FeatureSetSource.open(spark, hadoop, "--reference", options.reference(), options.referenceImageColumn(),
          options.kid());
      reference.requireDimension(dim, "the feature model " + models.features() + " gives");
      reference.requireTwoImages();
    }
    countGroups(images);
    if (!spark.sparkContext().isLocal()) {
      ExecutorModels.closeAll(); // executors load their own; in local mode the tasks share the driver's
    }

    EvaluateOptions.KidSettings kid = options.kid();
    PassSettings settings = new PassSettings(models, options.device(), options.batchSize(), dim, clip != null,
        kid == null ? 0 : kid.maxFeatures(), kid == null ? 0 : kid.seed(), options.promptColumn() != null,
        options.groupBy().size());
    long start = System.nanoTime();
    Map<GroupKey, SetAccumulator> groups = FeaturePass.run(images, settings, options.partitions());
    FeatureSet referenceSet = reference == null ? null : reference.resolve(settings, options.partitions());
    double seconds = (System.nanoTime() - start) / 1e9;

    List<GroupKey> order = new ArrayList<>(groups.keySet());
    order.sort(GroupOrder.INSTANCE);
    List<GroupMetrics> metrics = new ArrayList<>();
    for (GroupKey key : order) {
      metrics.add(measure(key, groups.get(key), referenceSet));
    }
    MetricsTable.Context context = new MetricsTable.Context(models.features(), extractor == null ? null : extractor.digest(),
        extractor == null ? null : dim, extractor == null ? null : extractor.preprocessing().label(), referenceSet,
        models.clip());
    write(spark, hadoop, images, metrics, groups, referenceSet, context);
    printSummary(metrics, referenceSet, extractor, seconds);
    long excluded = metrics.stream().mapToLong(GroupMetrics::excluded).sum()
        + (referenceSet == null ? 0 : referenceSet.excluded());
    return excluded > 0 ? EvaluateCommand.EXIT_IMAGES_LEFT_OUT : EvaluateCommand.EXIT_OK;
  }

  private void refuseExisting(Configuration hadoop) throws IOException {
    for (String uri : new String[] {options.output(), options.saveStats()}) {
      if (uri != null && !options.overwrite() && exists(hadoop, uri)) {
        throw new ConfigurationException(uri + " already exists; give --overwrite to replace it, or another path");
      }
    }
  }

  private static <T> T load(String option, String uri, java.util.function.Supplier<T> loader) {
    try {
      return loader.get();
    } catch (ModelException | IllegalArgumentException e) {
      throw new ConfigurationException(option + " " + uri + ": " + e.getMessage(), e);
    }
  }

  /** Image counts per group, before any feature work: a group of fewer than 2 images has no covariance. */
  private Map<GroupKey, Long> countGroups(ImageSets.ImageSet images) {
    List<String> columns = images.groupColumns();
    Column[] groupCols = columns.stream().map(c -> new Column(c)).toArray(Column[]::new);
    List<Row> rows = images.rows().groupBy(groupCols).count().collectAsList();
    Map<GroupKey, Long> counts = new LinkedHashMap<>();
    for (Row row : rows) {
      counts.put(GroupKey.of(row, 0, columns.size()), row.getLong(columns.size()));
    }
    if (counts.isEmpty()) {
      throw new ConfigurationException("--images " + options.images() + " holds no images");
    }
    List<String> small = new ArrayList<>();
    counts.forEach((key, n) -> {
      if (n < 2) {
        small.add(key.describe(columns) + " (" + n + " image)");
      }
    });
    if (!small.isEmpty() && options.models().features() != null) {
      throw new ConfigurationException("feature statistics need at least 2 images per group; these groups have fewer: "
          + small + (columns.isEmpty() ? "" : "; group by fewer columns or add images"));
    }
    return counts;
  }

  private GroupMetrics measure(GroupKey key, SetAccumulator group, FeatureSet reference) {
    List<String> columns = options.groupBy();
    FrechetDistance.Result fid = null;
    KernelInceptionDistance.Result kid = null;
    long n = group.features() == null ? 0 : group.features().count();
    if (group.features() != null && n < 2) {
      throw new ConfigurationException("group " + key.describe(columns) + " has " + n + " image(s) with usable features ("
          + group.unreadable() + " unreadable, " + group.nonFinite() + " with non-finite features); statistics need at least 2");
    }
    if (reference != null) {
      fid = FrechetDistance.between(group.features().toGaussian(), reference.stats());
      if (options.kid() != null) {
        EvaluateOptions.KidSettings k = options.kid();
        kid = KernelInceptionDistance.estimate(group.reservoir(), reference.reservoir(),
            new KernelInceptionDistance.Options(k.subsets(), k.subsetSize(), k.seed()));
      }
    }
    Double clipScore = group.clip() == null || group.clip().count() == 0 ? null : group.clip().score();
    long clipN = group.clip() == null ? 0 : group.clip().count();
    return new GroupMetrics(key, group.images(), n, group.unreadable(), group.nonFinite(), fid, kid, clipScore, clipN,
        group.withoutPrompt());
  }

  private void write(SparkSession spark, Configuration hadoop, ImageSets.ImageSet images, List<GroupMetrics> metrics,
      Map<GroupKey, SetAccumulator> groups, FeatureSet reference, MetricsTable.Context context) throws IOException {
    if (options.saveStats() != null) {
      GaussianStatistics all = allImages(groups);
      writeAtomically(hadoop, options.saveStats(), staged -> StatsFiles.writeStatistics(hadoop, staged, all));
    }
    if (options.output() == null) {
      return;
    }
    writeAtomically(hadoop, options.output(), stage -> {
      List<String> columns = options.groupBy();
      if (groups.values().iterator().next().features() != null) {
        Set<String> names = new HashSet<>();
        for (GroupMetrics m : metrics) {
          String name = m.key().fileName(columns);
          while (!names.add(name)) {
            name = name + "+"; // two groups whose values differ only in characters a file name cannot hold
          }
          StatsFiles.writeStatistics(hadoop, stage + "/stats/" + name + ".npz", groups.get(m.key()).features().toGaussian());
        }
        if (reference != null && reference.kind() != FeatureSet.Kind.STATISTICS_FILE) {
          StatsFiles.writeStatistics(hadoop, stage + "/stats/reference.npz", reference.stats());
        }
      }
      StructType schema = MetricsTable.schema(columns, images.groupTypes());
      List<Row> rows = new ArrayList<>();
      metrics.forEach(m -> rows.add(MetricsTable.row(m, context)));
      spark.createDataFrame(rows, schema).coalesce(1).write().parquet(stage + "/metrics");
      Path csv = new Path(stage + "/metrics.csv");
      FileSystem fs = csv.getFileSystem(hadoop);
      fs.setWriteChecksum(false);
      try (OutputStream out = fs.create(csv, true)) {
        out.write(MetricsTable.csv(schema, rows).getBytes(StandardCharsets.UTF_8));
      }
    });
  }

  /** The statistics of every group together (copies: the groups' own stay as they are). */
  private static GaussianStatistics allImages(Map<GroupKey, SetAccumulator> groups) {
    FeatureStatistics all = null;
    for (SetAccumulator group : groups.values()) {
      FeatureStatistics copy = FeatureStatistics.fromBytes(group.features().toBytes());
      all = all == null ? copy : all.merge(copy);
    }
    return all.toGaussian();
  }

  private interface StagedWrite {
    void write(String stagedUri) throws IOException;
  }

  /** Writes into a sibling staging path and renames it into place, replacing what --overwrite allows. */
  private void writeAtomically(Configuration hadoop, String uri, StagedWrite body) throws IOException {
    Path target = new Path(uri.replaceAll("/+$", ""));
    Path staged = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID().toString().substring(0, 8));
    FileSystem fs = target.getFileSystem(hadoop);
    try {
      body.write(staged.toString());
      if (fs.exists(target)) {
        if (!options.overwrite() || !fs.delete(target, true)) {
          throw new IOException("cannot replace " + uri);
        }
      }
      if (!fs.rename(staged, target)) {
        throw new IOException("cannot move " + staged + " to " + uri);
      }
    } finally {
      if (fs.exists(staged)) {
        fs.delete(staged, true);
      }
    }
  }

  private void printSummary(List<GroupMetrics> metrics, FeatureSet reference,
      ImageFeatureExtractor extractor, double seconds) {
    long images = metrics.stream().mapToLong(GroupMetrics::images).sum();
    System.out.printf("evaluate: %d images in %d group(s) from %s, %.1f s%n", images, metrics.size(), options.images(), seconds);
    if (extractor != null) {
      System.out.printf("  features: %s, %s%n", options.models().features(), extractor.describe());
    }
    if (reference != null) {
      System.out.printf("  reference: %s (%s)%n", reference.uri(), reference.sizeText());
    }
    for (GroupMetrics m : metrics) {
      System.out.println("  " + Summary.line(m, options.groupBy(), reference));
    }
    long unreadable = metrics.stream().mapToLong(GroupMetrics::unreadable).sum();
    long nonFinite = metrics.stream().mapToLong(GroupMetrics::nonFinite).sum();
    if (unreadable + nonFinite > 0) {
      System.out.printf("  left out: %d image(s) that could not be decoded, %d with non-finite features (counted per group"
          + " in the table)%n", unreadable, nonFinite);
    }
    if (options.saveStats() != null) {
      System.out.printf("  statistics: %s%n", options.saveStats());
    }
    if (options.output() != null) {
      System.out.printf("  metrics: %s/metrics.csv (Parquet: %s/metrics, statistics: %s/stats)%n",
          options.output(), options.output(), options.output());
    }
  }

  private static boolean exists(Configuration hadoop, String uri) throws IOException {
    Path path = new Path(uri);
    return path.getFileSystem(hadoop).exists(path);
  }

  /** Groups in a stable order: by each value in turn, nulls first, numbers as numbers. */
  enum GroupOrder implements Comparator<GroupKey> {
    INSTANCE;

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public int compare(GroupKey a, GroupKey b) {
      for (int i = 0; i < a.values().size(); i++) {
        Object x = a.values().get(i);
        Object y = b.values().get(i);
        int c;
        if (x == null || y == null) {
          c = x == null ? (y == null ? 0 : -1) : 1;
        } else if (x instanceof Comparable cx && x.getClass() == y.getClass()) {
          c = cx.compareTo(y);
        } else {
          c = String.valueOf(x).compareTo(String.valueOf(y));
        }
        if (c != 0) {
          return c;
        }
      }
      return 0;
    }
  }
}
