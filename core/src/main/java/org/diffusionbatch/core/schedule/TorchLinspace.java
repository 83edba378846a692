package org.diffusionbatch.core.schedule;

/**
 * {@code torch.linspace(start, end, n, dtype=float32)} bit for bit. Torch's CPU kernel walks up from
 * {@code start} for the first half and down from {@code end} for the second, each as one fused
 * multiply-add in float32; a plain {@code start + i*step} differs in the last bit, which the
 * squared betas and their cumulative product then amplify.
 */
final class TorchLinspace {
  private TorchLinspace() {}

  static float[] float32(double start, double end, int n) {
    float[] out = new float[n];
    if (n == 1) {
      out[0] = (float) start;
      return out;
    }
    float s = (float) start;
    float e = (float) end;
    float step = (e - s) / (float) (n - 1);
    int halfway = n / 2;
    for (int i = 0; i < n; i++) {
      out[i] = i < halfway ? Math.fma(step, (float) i, s) : Math.fma(-step, (float) (n - 1 - i), e);
    }
    return out;
  }
}
