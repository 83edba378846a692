package org.diffusionbatch.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** transformers' CLIPImageProcessor steps: shortest-edge resize, centre crop, rescale, normalise. */
class ClipImageProcessorTest {
  private static final double[] MEAN = {0.48145466, 0.4578275, 0.40821073};
  private static final double[] STD = {0.26862954, 0.26130258, 0.27577711};

  private static ClipImageProcessor clip224() {
    return new ClipImageProcessor(true, 224, true, 224, 224, true, 1 / 255.0, true, MEAN, STD);
  }

  @Test
  void shortestEdgeRuleKeepsTheAspectAndTruncatesTheLongSide() {
    // transformers: short side -> 224, long side int(224 * long / short)
    assertArrayEquals(new int[] {224, 336}, clip224().resizedSize(512, 768));
    assertArrayEquals(new int[] {298, 224}, clip224().resizedSize(300, 225)); // int(224 * 300 / 225) = int(298.67)
    assertArrayEquals(new int[] {224, 224}, clip224().outputSize(512, 768));
  }

  @Test
  void aUniformImageBecomesItsNormalisedColourEverywhere() {
    byte[] rgb = new byte[3 * 300 * 200];
    for (int p = 0; p < 300 * 200; p++) {
      rgb[p * 3] = (byte) 200;
      rgb[p * 3 + 1] = (byte) 100;
      rgb[p * 3 + 2] = 0;
    }
    float[] out = new float[3 * 224 * 224];
    clip224().pixelValues(new RgbImage(200, 300, rgb), out, 0);
    int plane = 224 * 224;
    float r = (float) ((float) (200 / 255.0) - (float) MEAN[0]) / (float) STD[0];
    float g = (float) ((float) (100 / 255.0) - (float) MEAN[1]) / (float) STD[1];
    float b = (float) (0 - (float) MEAN[2]) / (float) STD[2];
    float[] expected = new float[3 * plane];
    Arrays.fill(expected, 0, plane, r);
    Arrays.fill(expected, plane, 2 * plane, g);
    Arrays.fill(expected, 2 * plane, 3 * plane, b);
    assertArrayEquals(expected, out, 1e-6f);
  }

  @Test
  void theCentreCropTakesTheMiddleRows() {
    // 2 x 4 image, no resize, crop 2 x 2: columns 1 and 2 (left = (4 - 2) // 2)
    byte[] rgb = new byte[3 * 8];
    for (int p = 0; p < 8; p++) {
      rgb[p * 3] = (byte) (10 * p);
    }
    ClipImageProcessor crop = new ClipImageProcessor(false, 0, true, 2, 2, false, 1, false, null, null);
    float[] out = new float[3 * 4];
    crop.pixelValues(new RgbImage(4, 2, rgb), out, 0);
    assertArrayEquals(new float[] {10, 20, 50, 60}, Arrays.copyOf(out, 4), 0f);
    assertEquals(0f, out[4], 0f);
  }
}
