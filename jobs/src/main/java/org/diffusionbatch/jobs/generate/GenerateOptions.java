package org.diffusionbatch.jobs.generate;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.diffusionbatch.jobs.prompts.PromptFormat;
import org.diffusionbatch.jobs.spark.Device;
import org.diffusionbatch.jobs.spark.S3Endpoint;

/**
 * Everything {@code generate} was asked to do, checked for form (not yet against the model or the
 * storage): what the command line hands the job.
 *
 * @param prompts the prompt table as Spark reads it (s3 mapped to s3a, local made absolute)
 * @param output the images dataset as Spark writes it
 * @param errorsOutput the errors dataset ({@code <output>_errors} unless given)
 * @param model the model URI as core loads it (local dir or s3://)
 * @param sampler null, steps null, guidance null, width/height null: the model's defaults
 * @param rowsPerCommit input rows per Spark write (one commit each), so a run that dies keeps its finished commits
 * @param master null under spark-submit
 * @param arguments the command line as given, recorded in the run manifest (secrets redacted there)
 * @param breakLease take the output's lease even if another run's has not expired
 * @param resumeWithNewSettings let --resume add rows made with other settings or another model
 * @param gpuRunsPerGraph runs of one graph in flight at once on a GPU; 0 = core's default (2)
 */
public record GenerateOptions(
    String prompts,
    PromptFormat promptsFormat,
    String output,
    String errorsOutput,
    String model,
    String sampler,
    Integer steps,
    Double guidance,
    double guidanceRescale,
    Integer width,
    Integer height,
    String negativePrompt,
    long seed,
    Map<String, Object> samplerOptions,
    int batchSize,
    Integer partitions,
    int maxRecordsPerFile,
    long rowsPerCommit,
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
    List<String> arguments,
    boolean breakLease,
    boolean resumeWithNewSettings)
    implements Serializable {

  /** True when started by spark-submit (which sets the master). */
  public boolean underSparkSubmit() {
    return master == null;
  }

}
