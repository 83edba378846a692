package org.diffusionbatch.core.sampler;

/**
 * The guidance-scale conditioning of guidance-distilled UNets (LCM's {@code timestep_cond}):
 * diffusers' get_guidance_scale_embedding, a sinusoidal embedding of w = (g - 1) * 1000.
 */
public final class GuidanceEmbedding {
  private GuidanceEmbedding() {}

  /**
   * The embedding LCM pipelines give the UNet for guidance scale {@code guidanceScale}.
   *
   * @param dim the UNet's {@code time_cond_proj_dim} (256 for LCM-distilled SD); an odd dim gets
   *     a trailing zero, as diffusers pads
   * @return [sin(w*f_0..f_{h-1}), cos(w*f_0..f_{h-1}) (, 0)], h = dim/2, f_i =
   *     exp(-ln(10000)*i/(h-1)), float32
   */
  public static float[] lcm(double guidanceScale, int dim) {
    if (dim < 4) {
      throw new IllegalArgumentException(
          "guidance embedding dim must be at least 4 (the UNet's time_cond_proj_dim), got " + dim);
    }
    int half = dim / 2;
    float w = (float) (guidanceScale - 1) * 1000f;
    float logBase = (float) Math.log(10000.0) / (float) (half - 1);
    float[] out = new float[dim];
    for (int i = 0; i < half; i++) {
      float f = (float) Math.exp((float) i * -logBase);
      float arg = w * f;
      out[i] = (float) Math.sin(arg);
      out[half + i] = (float) Math.cos(arg);
    }
    return out;
  }
}
