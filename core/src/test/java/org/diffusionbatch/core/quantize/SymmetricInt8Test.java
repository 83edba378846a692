package org.diffusionbatch.core.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SymmetricInt8Test {
  @Test
  void eachChannelGetsMaxAbsOver127AndRoundsToNearestEven() {
    // 2 x 3, channels along axis 0: row 0 max |w| = 2.54 -> scale 0.02; row 1 all zero -> scale 1.
    float[] w = {2.54f, -0.01f, 0.03f, 0f, 0f, 0f};
    SymmetricInt8.Quantized q = SymmetricInt8.quantize(w, new long[] {2, 3}, 0);
    assertArrayEquals(new float[] {0.02f, 1f}, q.scales(), 1e-9f);
    // -0.01 / 0.02 = -0.5 -> -0 (ties to even); 0.03 / 0.02 = 1.5 -> 2
    assertArrayEquals(new byte[] {127, 0, 2, 0, 0, 0}, q.quantized());
  }

  @Test
  void scalesRunAlongTheLastAxisWhenAsked() {
    float[] w = {1f, -10f, 0.5f, 5f}; // 2 x 2, columns: |1|,|0.5| -> 1/127; |-10|,|5| -> 10/127
    SymmetricInt8.Quantized q = SymmetricInt8.quantize(w, new long[] {2, 2}, 1);
    assertArrayEquals(new float[] {1f / 127, 10f / 127}, q.scales(), 1e-9f);
    assertArrayEquals(new byte[] {127, -127, 64, 64}, q.quantized()); // 63.5 -> 64 (even), 63.5 -> 64
  }

  @Test
  void oneScaleForTheWholeTensorWithoutAnAxis() {
    SymmetricInt8.Quantized q = SymmetricInt8.quantize(new float[] {-4f, 1f, 2f}, new long[] {3}, -1);
    assertArrayEquals(new float[] {4f / 127}, q.scales(), 1e-9f);
    assertArrayEquals(new byte[] {-127, 32, 64}, q.quantized()); // 31.75 -> 32, 63.5 -> 64
  }

  @Test
  void float16ScalesAreRoundedUpSoNoValueClips() {
    float scale = SymmetricInt8.halfAtLeast(1f / 127);
    assertEquals(0.00788116455078125f, scale); // 2^-7 + 9 x 2^-17: the float16 just above 1/127 = 0.0078740157
    SymmetricInt8.Quantized q = SymmetricInt8.quantize(new float[] {1f, -1f}, new long[] {2}, -1, true);
    assertEquals(scale, q.scales()[0]);
    assertArrayEquals(new byte[] {127, -127}, q.quantized());
  }
}
