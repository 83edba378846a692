package org.diffusionbatch.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class VaeImageConversionTest {

  /**
   * Values whose float32 {@code (x/2 + 0.5) * 255} is exactly k + 0.5, with the byte numpy gives
   * ({@code (np.clip(x/2+0.5, 0, 1) * 255).round().astype("uint8")}, numpy 2.4): halves go to even.
   */
  @Test
  void halfwayValuesRoundToEvenLikeNumpy() {
    int[][] bitsAndByte = {
      {-1101473576, 100}, // 100.5 -> 100
      {-1101999920, 102}, // 101.5 -> 102
      {0, 128}, // 0.0 -> 127.5 -> 128
      {1006665856, 128}, // 128.5 -> 128
      {1065155836, 254}, // 253.5 -> 254
      {1065287422, 254}, // 254.5 -> 254
    };
    for (int[] c : bitsAndByte) {
      float x = Float.intBitsToFloat(c[0]);
      assertEquals(c[1], VaeImageConversion.toByte(x), "x = " + x);
    }
  }

  @Test
  void outOfRangeValuesClampAndNanIsBlack() {
    assertEquals(255, VaeImageConversion.toByte(1.7f));
    assertEquals(255, VaeImageConversion.toByte(1f));
    assertEquals(0, VaeImageConversion.toByte(-1f));
    assertEquals(0, VaeImageConversion.toByte(-3f));
    assertEquals(0, VaeImageConversion.toByte(Float.NaN));
  }

  @Test
  void selectedBatchRowIsInterleavedChannelByChannel() {
    int h = 1;
    int w = 2;
    // batch of 2 images, each [3, 1, 2]; row 1 has R = {1, -1}, G = {0, 1}, B = {-1, 0}
    float[] batch = {9, 9, 9, 9, 9, 9, 1, -1, 0, 1, -1, 0};
    byte[] rgb = VaeImageConversion.toRgb(batch, 1, h, w);
    assertArrayEquals(new byte[] {(byte) 255, (byte) 128, 0, 0, (byte) 255, (byte) 128}, rgb);
  }
}
