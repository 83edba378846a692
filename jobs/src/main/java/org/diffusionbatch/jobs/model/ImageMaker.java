package org.diffusionbatch.jobs.model;

import java.util.List;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
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

  /**
   * One result per request, in order; a failed row has no image and says why. Settings the model
   * cannot run fail every row (stage "settings"): the job checks them here, once per batch. Images
   * come as RGB without PNG: the job encodes in its own pool, overlapping the next batch.
   */
  List<GenerationResult> generate(GenerationSettings settings, List<GenerationRequest> requests);

  @Override
  void close();
}
