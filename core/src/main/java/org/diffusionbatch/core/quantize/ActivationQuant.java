package org.diffusionbatch.core.quantize;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * INT8 parameters of one activation tensor from the range calibration chose for it: asymmetric
 * (ONNX Runtime's default for activations: zero point in [-128, 127], {@code scale = (max - min) / 255})
 * or symmetric (zero point 0, {@code scale = max|x| / 127}, what TensorRT requires). The range
 * always contains 0, so zero padding and ReLU zeros are exact.
 *
 * @param observedMin the smallest value calibration saw
 * @param observedMax the largest value calibration saw
 * @param rangeMin the low end of the range quantized (below observedMin's side only with percentile clipping)
 * @param rangeMax the high end of the range quantized
 */
public record ActivationQuant(
    @JsonProperty("scale") float scale,
    @JsonProperty("zero_point") int zeroPoint,
    @JsonProperty("observed_min") float observedMin,
    @JsonProperty("observed_max") float observedMax,
    @JsonProperty("range_min") float rangeMin,
    @JsonProperty("range_max") float rangeMax) {

  static ActivationQuant of(float observedMin, float observedMax, float low, float high, boolean symmetric) {
    float rmin = Math.min(0f, low);
    float rmax = Math.max(0f, high);
    if (symmetric) {
      float absMax = Math.max(-rmin, rmax);
      float scale = absMax == 0 ? 1f : absMax / 127f;
      return new ActivationQuant(scale, 0, observedMin, observedMax, -absMax, absMax);
    }
    float scale = rmax == rmin ? 1f : (rmax - rmin) / 255f;
    int zeroPoint = (int) Math.max(-128, Math.min(127, Math.rint(-128 - rmin / scale)));
    return new ActivationQuant(scale, zeroPoint, observedMin, observedMax, rmin, rmax);
  }
}
