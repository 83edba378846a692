package org.diffusionbatch.jobs.sweep;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.diffusionbatch.jobs.prompts.PromptFormat;
import org.diffusionbatch.jobs.spark.Device;
import org.diffusionbatch.jobs.spark.S3Endpoint;

/**
 * Everything {@code sweep} was asked to do, checked for form (not yet against the models, the
 * prompts or the reference).
 *
 * @param prompts the prompt table as Spark reads it
 * @param output the sweep's folder as Spark writes it
 * @param features the image feature model (FID, KID)
 * @param reference reference statistics (.npz), features (.npy) or an image set
 * @param clip the CLIP model for CLIP score; null for none
 * @param fixed settings every cell shares unless the grid varies them (nulls: the model's defaults)
 * @param errorGroups disjoint groups of each cell whose FIDs give the sampling error
 * @param chunkSize rows per task at most
 * @param keepImages images kept per cell (PNG rows and contact sheet)
 * @param master null under spark-submit
 */
public record SweepOptions(
    String prompts,
    PromptFormat promptsFormat,
    String output,
    String features,
    String reference,
    String clip,
    int imagesPerCell,
    boolean cyclePrompts,
    SweepGrid grid,
    Fixed fixed,
    long seed,
    int batchSize,
    int chunkSize,
    int errorGroups,
    int keepImages,
    int kidSubsets,
    int kidSubsetSize,
    int kidSample,
    int cellsInFlight,
    String runId,
    boolean resume,
    boolean overwrite,
    Device device,
    int intraOpThreads,
    int interOpThreads,
    String ortOptLevel,
    int gpuRunsPerGraph,
    String modelCache,
    S3Endpoint s3,
    String master,
    Map<String, String> conf,
    List<String> arguments) {

  /** The command line's single settings (--model, --sampler, ...), used where the grid does not vary them. */
  public record Fixed(
      String model, String sampler, Integer steps, Double guidance, double guidanceRescale, Integer width, Integer height,
      String negativePrompt, Map<String, Object> samplerOptions)
      implements Serializable {}
}
