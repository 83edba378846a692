package org.diffusionbatch.jobs.model;

import java.util.List;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationSettings;

/**
 * A loaded model that makes images: the one seam between the Spark job and core's pipeline, so the
 * job's plumbing can be tested on its own. {@link PipelineImageMaker} is the real one.
 * Implementations must be safe to call from several tasks of one executor at once.
 */
public interface ImageMaker extends AutoCloseable {

  /** The model's URI as loaded. */
  String modelUri();

  /** Digest of the model's files, written on every row so an image can be traced to its weights. */
  String modelDigest();

  /** The model's own defaults (scheduler, steps, guidance, size). */
  GenerationSettings defaults();

  /** Throws IllegalArgumentException naming the setting this model cannot run. */
  void validate(GenerationSettings settings);

  /** UNet evaluations per image at these settings, counting the doubled classifier-free-guidance batch. */
  int unetEvaluationsPerImage(GenerationSettings settings);

  /** One result per request, in order; a failed row has a null image and says why. */
  List<MadeImage> generate(GenerationSettings settings, List<GenerationRequest> requests);

  @Override
  void close();

  /**
   * One row's image as raw RGB (PNG encoding happens in the job's own pool, overlapping the next
   * batch), or its failure; timings are of the batch the row was in.
   */
  record MadeImage(
      int width, int height, byte[] rgb, String failedStage, String error,
      long textNanos, long unetNanos, long samplerNanos, long decodeNanos) {

    public boolean ok() {
      return rgb != null;
    }

    public static MadeImage failed(String stage, String error) {
      return new MadeImage(0, 0, null, stage, error, 0, 0, 0, 0);
    }
  }
}
