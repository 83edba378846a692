package org.diffusionbatch.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Float16Test {
  private static int half(float f) {
    return Float16.fromFloat(f) & 0xffff;
  }

  @Test
  void everyHalfSurvivesARoundTripThroughFloat() {
    for (int h = 0; h <= 0xffff; h++) {
      float f = Float16.toFloat((short) h);
      if (Float.isNaN(f)) {
        assertTrue(Float.isNaN(Float16.toFloat(Float16.fromFloat(f))), "NaN stays NaN: " + Integer.toHexString(h));
      } else {
        assertEquals(h, half(f), "round trip of 0x" + Integer.toHexString(h));
      }
    }
  }

  @Test
  void knownValuesDecodeExactly() {
    assertEquals(1.0f, Float16.toFloat((short) 0x3c00));
    assertEquals(-2.0f, Float16.toFloat((short) 0xc000));
    assertEquals(65504f, Float16.toFloat((short) 0x7bff));
    assertEquals(0x1p-14f, Float16.toFloat((short) 0x0400), "smallest normal");
    assertEquals(0x1p-24f, Float16.toFloat((short) 0x0001), "smallest subnormal");
    assertEquals(0x3ffp-24f, Float16.toFloat((short) 0x03ff), "largest subnormal");
    assertEquals(Float.POSITIVE_INFINITY, Float16.toFloat((short) 0x7c00));
    assertEquals(Float.NEGATIVE_INFINITY, Float16.toFloat((short) 0xfc00));
    assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(Float16.toFloat((short) 0x8000)));
  }

  @Test
  void infinityNanAndSignedZeroEncode() {
    assertEquals(0x7c00, half(Float.POSITIVE_INFINITY));
    assertEquals(0xfc00, half(Float.NEGATIVE_INFINITY));
    assertTrue(Float.isNaN(Float16.toFloat(Float16.fromFloat(Float.NaN))));
    // A signalling float NaN whose payload sits only in the low bits must not become infinity.
    float lowPayloadNan = Float.intBitsToFloat(0x7f80_0001);
    assertTrue(Float.isNaN(Float16.toFloat(Float16.fromFloat(lowPayloadNan))));
    assertEquals(0x0000, half(0.0f));
    assertEquals(0x8000, half(-0.0f));
  }

  @Test
  void overflowRoundsToInfinityOnlyFromHalfAnUlpAboveMax() {
    assertEquals(0x7bff, half(65504f));
    assertEquals(0x7bff, half(65519.99f), "below max + half ulp rounds down to max");
    assertEquals(0x7c00, half(65520f), "max + half ulp is a tie; the even neighbour is infinity");
    assertEquals(0xfc00, half(-1e10f));
  }

  @Test
  void tiesRoundToEven() {
    // 1 + 2^-11 lies halfway between 1 (even, 0x3c00) and 1 + 2^-10 (odd, 0x3c01).
    assertEquals(0x3c00, half(1f + 0x1p-11f));
    // 1 + 3*2^-11 lies halfway between 0x3c01 (odd) and 0x3c02 (even).
    assertEquals(0x3c02, half(1f + 3 * 0x1p-11f));
    // Just above a tie rounds up.
    assertEquals(0x3c01, half(Math.nextUp(1f + 0x1p-11f)));
  }

  @Test
  void subnormalsAndUnderflowRoundCorrectly() {
    assertEquals(0x0001, half(0x1p-24f));
    assertEquals(0x0000, half(0x1p-25f), "half the smallest subnormal is a tie; rounds to even zero");
    assertEquals(0x0001, half(Math.nextUp(0x1p-25f)));
    assertEquals(0x0002, half(3 * 0x1p-25f), "1.5 subnormal ulps is a tie; rounds to even 2");
    assertEquals(0x0000, half(1e-10f));
    assertEquals(0x8000, half(-1e-10f));
    assertEquals(0x0400, half(Math.nextDown(0x1p-14f)), "just below the smallest normal rounds up into it");
    assertEquals(0x03ff, half(0x3ffp-24f));
  }

  @Test
  void randomFloatsGoToTheNearestHalf() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 200_000; i++) {
      float f = (float) ((random.nextDouble() * 2 - 1) * Math.pow(2, random.nextInt(-26, 17)));
      short h = Float16.fromFloat(f);
      float chosen = Float16.toFloat(h);
      if (Float.isInfinite(chosen)) {
        assertTrue(Math.abs(f) >= 65520f, "only values from 65520 overflow: " + f);
        continue;
      }
      double error = Math.abs((double) f - chosen);
      for (int neighbour : new int[] {(h & 0xffff) - 1, (h & 0xffff) + 1}) {
        if ((neighbour & 0x7fff) > 0x7bff || neighbour < 0 || neighbour > 0xffff) {
          continue;
        }
        double other = Math.abs((double) f - Float16.toFloat((short) neighbour));
        assertTrue(error < other || (error == other && (h & 1) == 0),
            "0x" + Integer.toHexString(h & 0xffff) + " is not the nearest (ties even) half to " + f);
      }
    }
  }

  @Test
  void arraysConvertElementwise() {
    float[] values = {0.5f, -3.25f, 1000f};
    assertEquals(-3.25f, Float16.toFloats(Float16.fromFloats(values))[1]);
    assertEquals(3, Float16.fromFloats(values).length);
  }
}
