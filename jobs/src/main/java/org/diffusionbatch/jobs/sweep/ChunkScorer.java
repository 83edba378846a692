package org.diffusionbatch.jobs.sweep;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.diffusionbatch.core.image.PngEncoder;
import org.diffusionbatch.core.metrics.ClipEncoders;
import org.diffusionbatch.core.metrics.ImageFeatureExtractor;
import org.diffusionbatch.core.metrics.RgbImage;
import org.diffusionbatch.core.pipeline.GeneratedImage;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.core.pipeline.StageTimings;
import org.diffusionbatch.jobs.dataset.ImageRows;
import org.diffusionbatch.jobs.evaluate.MetricModels;
import org.diffusionbatch.jobs.evaluate.PassSettings;
import org.diffusionbatch.jobs.model.ExecutorModels;
import org.diffusionbatch.jobs.model.ImageMaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task's work: make a chunk's images in batches on this executor's shared model, score each batch
 * right after decoding (features and CLIP from the decoded pixels), and keep only the summary,
 * the first {@code --keep-images} rows as PNG, counts and timings. Rows that fail (non-finite
 * model output) are counted, not scored.
 */
final class ChunkScorer implements Function<Chunk, CellPart> {
  private static final Logger LOG = LoggerFactory.getLogger(ChunkScorer.class);
  private static final PngEncoder PNG = new PngEncoder();

  private final ModelLoaders loaders;
  private final ModelRuntime runtime;
  private final PassSettings scoring;
  private final int batchSize;
  private final int keepImages;
  private final String runId;

  /** @param scoring the metric models, device, feature dimension, CLIP or not, KID sample size and seed (as evaluate's passes) */
  ChunkScorer(ModelLoaders loaders, ModelRuntime runtime, PassSettings scoring, int batchSize, int keepImages, String runId) {
    this.loaders = loaders;
    this.runtime = runtime;
    this.scoring = scoring;
    this.batchSize = batchSize;
    this.keepImages = keepImages;
    this.runId = runId;
  }

  @Override
  public CellPart call(Chunk chunk) {
    long start = System.nanoTime();
    TaskContext task = TaskContext.get();
    Integer gpu = scoring.device().gpuOf(task);
    Cell cell = chunk.cell();
    ImageMaker maker = ExecutorModels.get(loaders.forModel(cell.model(), runtime), gpu);
    MetricModels models = scoring.models();
    ImageFeatureExtractor features = ExecutorModels.get(models.key(models.features(), gpu), ImageFeatureExtractor.class,
        () -> models.loadFeatures(gpu));
    ClipEncoders clip = scoring.clip()
        ? ExecutorModels.get(models.key(models.clip(), gpu), ClipEncoders.class, () -> models.loadClip(gpu)) : null;
    GenerationSettings settings = cell.settings();
    CellPart part = new CellPart(chunk.group(), chunk.index(), scoring.newAccumulator());
    List<SampleRow> rows = chunk.rows();
    for (int from = 0; from < rows.size(); from += batchSize) {
      List<SampleRow> batch = rows.subList(from, Math.min(from + batchSize, rows.size()));
      List<GenerationRequest> requests = new ArrayList<>(batch.size());
      batch.forEach(r -> requests.add(new GenerationRequest(r.prompt(), r.negativePrompt(), r.seed())));
      List<GenerationResult> images = ExecutorModels.inModel(() -> maker.generate(settings, requests));
      StageTimings batchTimings = images.stream().filter(GenerationResult::ok).findFirst().map(r -> r.image().timings()).orElse(null);
      if (batchTimings != null) {
        part.modelNanos += batchTimings.totalNanos();
        part.unetNanos += batchTimings.unetNanos();
      }
      score(cell, batch, images, features, clip, maker, part);
    }
    part.taskNanos = System.nanoTime() - start;
    LOG.info("cell {} chunk {} (group {}): {} images scored, {} failed, {} s", cell.id(), chunk.index(), chunk.group(),
        part.made, part.failed, String.format("%.2f", part.taskNanos / 1e9));
    return part;
  }

  private void score(Cell cell, List<SampleRow> batch, List<GenerationResult> images, ImageFeatureExtractor features,
      ClipEncoders clip, ImageMaker maker, CellPart part) {
    List<RgbImage> rgb = new ArrayList<>(batch.size());
    List<String> keys = new ArrayList<>(batch.size());
    List<String> prompts = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      GenerationResult result = images.get(i);
      SampleRow row = batch.get(i);
      if (!result.ok()) {
        part.failed++;
        if (part.firstFailure == null) {
          part.firstFailure = row.key() + ": " + result.failedStage() + ": " + result.error();
        }
        continue;
      }
      GeneratedImage image = result.image();
      rgb.add(new RgbImage(image.width(), image.height(), image.rgb()));
      keys.add(row.key());
      prompts.add(row.prompt());
      if (row.index() < keepImages) {
        long pngStart = System.nanoTime();
        byte[] png = PNG.encode(image.rgb(), image.width(), image.height());
        part.kept.add(KeptImages.extend(ImageRows.row(row.promptId(), result.request(), cell.settings(), maker.modelUri(),
            maker.modelDigest(), image, png, System.nanoTime() - pngStart, runId), row.index(), cell.optionsText()));
      }
    }
    if (rgb.isEmpty()) {
      return;
    }
    long scoreStart = System.nanoTime();
    part.summary.addFeatures(ExecutorModels.inModel(() -> features.features(rgb)), keys);
    if (clip != null) {
      ClipEncoders.Embeddings e = ExecutorModels.inModel(() -> clip.embed(rgb, prompts));
      part.summary.addClip(e.image(), e.text(), rgb.size(), e.dimension());
    }
    part.scoreNanos += System.nanoTime() - scoreStart;
    part.made += rgb.size();
  }
}
