package org.diffusionbatch.jobs.sweep;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One row of the metrics table: a cell's settings, sample size, metrics and cost. Saved as
 * {@code cells/<cell_id>/metrics.json} when the cell is done (its completion marker).
 *
 * @param fidError the sampling error of FID at n: sd(FID of the G disjoint groups) / sqrt(G); see docs/sweeps.md
 * @param nfe UNet evaluations per image, counting the doubled CFG batch
 * @param imagesPerSecond images per second of one task slot (one GPU): n / the cell's summed task seconds
 * @param modelSecondsPerImage seconds in the diffusion model (text encoder, UNet, sampler, VAE) per image
 * @param scoreSecondsPerImage seconds in the feature and CLIP models per image
 */
record MetricsRow(
    @JsonProperty("cell_id") String cellId,
    @JsonProperty("model") String model,
    @JsonProperty("model_name") String modelName,
    @JsonProperty("sampler") String sampler,
    @JsonProperty("steps") int steps,
    @JsonProperty("guidance") double guidance,
    @JsonProperty("guidance_rescale") double guidanceRescale,
    @JsonProperty("sampler_options") String samplerOptions,
    @JsonProperty("width") int width,
    @JsonProperty("height") int height,
    @JsonProperty("nfe") int nfe,
    @JsonProperty("n") long n,
    @JsonProperty("failed") long failed,
    @JsonProperty("fid") double fid,
    @JsonProperty("fid_error") double fidError,
    @JsonProperty("fid_groups") List<Double> fidGroups,
    @JsonProperty("kid_mean") Double kidMean,
    @JsonProperty("kid_std") Double kidStd,
    @JsonProperty("kid_n") Integer kidN,
    @JsonProperty("clip_score") Double clipScore,
    @JsonProperty("clip_n") long clipN,
    @JsonProperty("images_per_second") double imagesPerSecond,
    @JsonProperty("model_seconds_per_image") double modelSecondsPerImage,
    @JsonProperty("unet_seconds_per_image") double unetSecondsPerImage,
    @JsonProperty("score_seconds_per_image") double scoreSecondsPerImage,
    @JsonProperty("cell_seconds") double cellSeconds,
    @JsonProperty("run_id") String runId) {

  /** sd (ddof 1) of the groups' FIDs over sqrt(G): the error of FID at n if it scales as 1/sqrt(n); see docs/sweeps.md. */
  static double samplingError(List<Double> groupFids) {
    int g = groupFids.size();
    double mean = groupFids.stream().mapToDouble(Double::doubleValue).sum() / g;
    double squares = groupFids.stream().mapToDouble(f -> (f - mean) * (f - mean)).sum();
    return Math.sqrt(squares / (g - 1)) / Math.sqrt(g);
  }
}
