package org.diffusionbatch.core.sampler;

/**
 * Classifier-free guidance (Ho & Salimans 2022) as diffusers' Stable Diffusion pipelines apply it:
 * the UNet runs on {@code cat([uncond, cond])} (2B rows, unconditional first) and the guided
 * prediction is {@code e_u + g*(e_c - e_u)}, optionally rescaled (Lin et al. 2023, Sec. 3.4).
 */
public final class ClassifierFreeGuidance {
  private ClassifierFreeGuidance() {}

  /** Guidance is on only for scale > 1, as in diffusers ({@code do_classifier_free_guidance}). */
  public static boolean guidanceEnabled(double scale) {
    return scale > 1;
  }

  /** Writes {@code cat([x, x])}: the model input for the unconditional and conditional halves. */
  public static void duplicate(float[] x, float[] doubled) {
    if (doubled.length != 2 * x.length) {
      throw new IllegalArgumentException(
          "guidance input buffer has " + doubled.length + " values; it needs twice the latents' "
              + x.length);
    }
    System.arraycopy(x, 0, doubled, 0, x.length);
    System.arraycopy(x, 0, doubled, x.length, x.length);
  }

  /**
   * Combines a 2B-row UNet output into B guided rows.
   *
   * @param unetOut 2B rows of {@code shape}'s row size: the B unconditional rows, then the B
   *     conditional rows
   * @param shape the guided shape [B, C, H, W]
   * @param scale guidance scale g
   * @param rescale guidance_rescale r in [0, 1]; 0 turns it off
   * @param out B rows
   */
  public static void combine(
      float[] unetOut, LatentShape shape, double scale, double rescale, float[] out) {
    int n = shape.size();
    if (unetOut.length != 2 * n) {
      throw new IllegalArgumentException(
          "UNet output has " + unetOut.length + " values; guidance for shape " + shape
              + " needs 2 x " + n + " (unconditional rows, then conditional rows)");
    }
    if (out.length != n) {
      throw new IllegalArgumentException(
          "guided output buffer has " + out.length + " values; shape " + shape + " needs " + n);
    }
    if (rescale < 0 || rescale > 1) {
      throw new IllegalArgumentException("guidance_rescale must be in [0, 1], got " + rescale);
    }
    float g = (float) scale;
    for (int i = 0; i < n; i++) {
      float u = unetOut[i];
      out[i] = u + g * (unetOut[n + i] - u);
    }
    if (rescale > 0) {
      rescaleRows(unetOut, n, shape, (float) rescale, out);
    }
  }

  /** diffusers' rescale_noise_cfg: match each guided row's std to its conditional row's. */
  private static void rescaleRows(float[] unetOut, int condOffset, LatentShape shape, float r, float[] out) {
    int row = shape.rowSize();
    for (int b = 0; b < shape.batch(); b++) {
      int off = b * row;
      float ratio = (float) (std(unetOut, condOffset + off, row) / std(out, off, row));
      for (int i = off; i < off + row; i++) {
        out[i] = r * (out[i] * ratio) + (1f - r) * out[i];
      }
    }
  }

  /** Unbiased standard deviation (torch.std's default) of a[off, off+len). */
  private static double std(float[] a, int off, int len) {
    double mean = 0;
    for (int i = off; i < off + len; i++) {
      mean += a[i];
    }
    mean /= len;
    double ss = 0;
    for (int i = off; i < off + len; i++) {
      double d = a[i] - mean;
      ss += d * d;
    }
    return Math.sqrt(ss / (len - 1));
  }
}
