package org.diffusionbatch.jobs.evaluate;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.sql.Row;
import org.diffusionbatch.core.metrics.ClipEncoders;
import org.diffusionbatch.core.metrics.ImageDecoder;
import org.diffusionbatch.core.metrics.ImageFeatureExtractor;
import org.diffusionbatch.core.metrics.RgbImage;
import org.diffusionbatch.jobs.model.ExecutorModels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * One partition of image rows to one {@link SetAccumulator} per group: images are decoded,
 * batched, run through this executor's shared feature model (and CLIP model), and each batch's
 * features are added per group with one matrix product. An image that cannot be decoded is
 * counted and left out; the partition goes on.
 */
final class PartitionAccumulator implements PairFlatMapFunction<Iterator<Row>, GroupKey, SetAccumulator> {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionAccumulator.class);
  private static final int LOGGED_FAILURES = 5;

  private final PassSettings settings;

  PartitionAccumulator(PassSettings settings) {
    this.settings = settings;
  }

  /** A decoded image waiting for its batch. */
  private record Pending(SetAccumulator group, String key, String prompt, RgbImage image) {}

  @Override
  public Iterator<Tuple2<GroupKey, SetAccumulator>> call(Iterator<Row> rows) {
    TaskContext task = TaskContext.get();
    Integer gpu = TaskGpu.of(task, settings.device());
    MetricModels models = settings.models();
    ImageFeatureExtractor features = settings.featureDim() > 0
        ? ExecutorMetricModels.get(models.key(models.features(), gpu), () -> models.loadFeatures(gpu)) : null;
    ClipEncoders clip = settings.clip()
        ? ExecutorMetricModels.get(models.key(models.clip(), gpu), () -> models.loadClip(gpu)) : null;
    Map<GroupKey, SetAccumulator> groups = new LinkedHashMap<>();
    List<Pending> batch = new ArrayList<>(settings.batchSize());
    int failures = 0;
    while (rows.hasNext()) {
      Row row = rows.next();
      SetAccumulator group = groups.computeIfAbsent(
          GroupKey.of(row, settings.firstGroupColumn(), settings.groupColumns()), k -> settings.newAccumulator());
      group.countImage();
      String key = row.getString(1);
      RgbImage image;
      try {
        if (row.isNullAt(0)) {
          throw new IllegalArgumentException("the image is null");
        }
        image = ImageDecoder.decode((byte[]) row.get(0));
      } catch (IllegalArgumentException e) {
        group.countUnreadable();
        if (++failures <= LOGGED_FAILURES) {
          LOG.warn("partition {}: image with sha256 {} left out: {}", task == null ? -1 : task.partitionId(), key, e.getMessage());
        }
        continue;
      }
      String prompt = settings.hasPrompt() && !row.isNullAt(2) ? row.getString(2) : null;
      batch.add(new Pending(group, key, prompt, image));
      if (batch.size() == settings.batchSize()) {
        flush(batch, features, clip);
      }
    }
    flush(batch, features, clip);
    List<Tuple2<GroupKey, SetAccumulator>> out = new ArrayList<>(groups.size());
    groups.forEach((key, value) -> out.add(new Tuple2<>(key, value)));
    return out.iterator();
  }

  private void flush(List<Pending> batch, ImageFeatureExtractor features, ClipEncoders clip) {
    if (batch.isEmpty()) {
      return;
    }
    if (features != null) {
      float[] values = ExecutorModels.inModel(() -> features.features(batch.stream().map(Pending::image).toList()));
      int d = features.dimension();
      perGroup(batch).forEach((group, members) -> {
        float[] rows = new float[members.size() * d];
        List<String> keys = new ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) {
          System.arraycopy(values, members.get(i) * d, rows, i * d, d);
          keys.add(batch.get(members.get(i)).key());
        }
        group.addFeatures(rows, keys);
      });
    }
    if (clip != null) {
      List<Pending> pairs = new ArrayList<>();
      for (Pending p : batch) {
        if (p.prompt() == null) {
          p.group().countWithoutPrompt();
        } else {
          pairs.add(p);
        }
      }
      if (!pairs.isEmpty()) {
        ClipEncoders.Embeddings e = ExecutorModels.inModel(() -> clip.embed(pairs.stream().map(Pending::image).toList(),
            pairs.stream().map(Pending::prompt).toList()));
        int d = e.dimension();
        perGroup(pairs).forEach((group, members) -> {
          float[] images = new float[members.size() * d];
          float[] texts = new float[members.size() * d];
          for (int i = 0; i < members.size(); i++) {
            System.arraycopy(e.image(), members.get(i) * d, images, i * d, d);
            System.arraycopy(e.text(), members.get(i) * d, texts, i * d, d);
          }
          group.addClip(images, texts, members.size(), d);
        });
      }
    }
    batch.clear();
  }

  /** Positions in the batch of each group's images. */
  private static Map<SetAccumulator, List<Integer>> perGroup(List<Pending> batch) {
    Map<SetAccumulator, List<Integer>> out = new IdentityHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      out.computeIfAbsent(batch.get(i).group(), g -> new ArrayList<>()).add(i);
    }
    return out;
  }
}
