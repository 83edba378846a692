package org.diffusionbatch.jobs.evaluate;

import java.io.Serializable;
import org.diffusionbatch.jobs.spark.Device;

/**
 * What each task of a feature pass needs: the models, where to run them, and what to accumulate.
 *
 * @param featureDim the feature model's dimension, 0 without a feature model
 * @param reservoirSize feature vectors kept per group for KID, 0 for none
 * @param seed chooses the kept vectors (and KID's subsets)
 * @param hasPrompt rows carry a prompt (column 2) for CLIP score
 * @param groupColumns how many group columns follow the image, key (and prompt)
 */
public record PassSettings(MetricModels models, Device device, int batchSize, int featureDim, boolean clip,
    int reservoirSize, long seed, boolean hasPrompt, int groupColumns) implements Serializable {

  public SetAccumulator newAccumulator() {
    return new SetAccumulator(featureDim, reservoirSize, seed, clip);
  }

  /** Index of the first group column in a row of {@link ImageSets}. */
  int firstGroupColumn() {
    return hasPrompt ? 3 : 2;
  }
}
