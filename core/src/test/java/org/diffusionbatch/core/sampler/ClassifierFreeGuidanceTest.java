package org.diffusionbatch.core.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClassifierFreeGuidanceTest {
  private static final LatentShape SHAPE = new LatentShape(2, 1, 2, 2);

  /** Two rows of 4: uncond rows 0-1, then cond rows 0-1. */
  private static float[] unetOutput() {
    return new float[] {
        0, 1, 2, 3, /* uncond row 0 */ 1, 1, 1, 1, /* uncond row 1 */
        1, 1, 3, 5, /* cond row 0 */ 0, 2, 4, 6 /* cond row 1 */};
  }

  @Test
  void guidanceIsOnlyOnAboveScaleOne() {
    assertFalse(ClassifierFreeGuidance.guidanceEnabled(1.0));
    assertFalse(ClassifierFreeGuidance.guidanceEnabled(0.5));
    assertTrue(ClassifierFreeGuidance.guidanceEnabled(1.0001));
  }

  @Test
  void combineTakesUnconditionalRowsFirstAndExtrapolatesTowardsConditional() {
    float[] out = new float[SHAPE.size()];
    ClassifierFreeGuidance.combine(unetOutput(), SHAPE, 7.5, 0, out);
    float[] u = unetOutput();
    for (int i = 0; i < out.length; i++) {
      assertEquals(u[i] + 7.5f * (u[out.length + i] - u[i]), out[i], 0f);
    }
    assertEquals(0 + 7.5f * 1, out[0], 0f);
    assertEquals(1 + 7.5f * (6 - 1), out[7], 0f);
  }

  @Test
  void guidanceRescaleMatchesEachRowsStdToItsConditionalRow() {
    float[] plain = new float[SHAPE.size()];
    float[] full = new float[SHAPE.size()];
    float[] half = new float[SHAPE.size()];
    ClassifierFreeGuidance.combine(unetOutput(), SHAPE, 5, 0, plain);
    ClassifierFreeGuidance.combine(unetOutput(), SHAPE, 5, 1, full);
    ClassifierFreeGuidance.combine(unetOutput(), SHAPE, 5, 0.5, half);
    float[] u = unetOutput();
    for (int row = 0; row < 2; row++) {
      double condStd = std(u, 8 + row * 4);
      assertEquals(condStd, std(full, row * 4), 1e-5, "rescale 1 gives the conditional std");
      for (int i = row * 4; i < row * 4 + 4; i++) {
        assertEquals(0.5 * full[i] + 0.5 * plain[i], half[i], 1e-5);
      }
    }
  }

  private static double std(float[] a, int off) {
    double m = 0;
    for (int i = off; i < off + 4; i++) {
      m += a[i];
    }
    m /= 4;
    double s = 0;
    for (int i = off; i < off + 4; i++) {
      s += (a[i] - m) * (a[i] - m);
    }
    return Math.sqrt(s / 3);
  }

  @Test
  void combineRejectsAnOutputThatIsNotTwiceTheBatch() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClassifierFreeGuidance.combine(new float[8], SHAPE, 7.5, 0, new float[8]));
    assertTrue(e.getMessage().contains("2 x 8"), e.getMessage());
  }

  @Test
  void lcmGuidanceEmbeddingIsSinThenCosOfScaledGuidance() {
    float[] e = GuidanceEmbedding.lcm(8.5, 256);
    assertEquals(256, e.length);
    double w = 7.5 * 1000;
    for (int i = 0; i < 128; i++) {
      double f = Math.exp(-Math.log(10000) * i / 127);
      // float32 arguments up to 7500 carry ~5e-4 absolute rounding, as in diffusers
      assertEquals(Math.sin(w * f), e[i], 2e-3, "sin " + i);
      assertEquals(Math.cos(w * f), e[128 + i], 2e-3, "cos " + i);
    }
    float[] none = GuidanceEmbedding.lcm(1.0, 8);
    for (int i = 0; i < 4; i++) {
      assertEquals(0f, none[i]);
      assertEquals(1f, none[4 + i]);
    }
  }

  @Test
  void lcmGuidanceEmbeddingPadsAnOddDimensionWithAZero() {
    float[] e = GuidanceEmbedding.lcm(2.0, 7);
    assertEquals(7, e.length);
    assertEquals(0f, e[6]);
    assertEquals(Math.sin(1000.0), e[0], 1e-4);
    assertEquals(Math.cos(1000.0), e[3], 1e-4);
    assertThrows(IllegalArgumentException.class, () -> GuidanceEmbedding.lcm(2.0, 3));
  }
}
