package org.diffusionbatch.jobs.sweep;

import java.util.List;

/**
 * The models that score a sweep's images on an executor: the image feature model (FID, KID) and,
 * optionally, CLIP. Fed decoded 8-bit RGB straight from the pipeline (no PNG round trip: PNG is
 * lossless, so the features are those of the saved image). Shared by an executor's tasks.
 */
interface ImageScorer extends AutoCloseable {

  /** Feature dimension. */
  int dimension();

  /** Features of each image, rows-major [images, dimension]; rgb is interleaved RGB, row after row. */
  float[] features(List<byte[]> rgb, int width, int height);

  /** CLIP score (100 max(cos, 0)) of each image against its prompt; null when no CLIP model is set. */
  double[] clipScores(List<byte[]> rgb, int width, int height, List<String> prompts);

  @Override
  void close();
}
