package org.diffusionbatch.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.platform.Fp16Conversions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The float16 conversion the model runtime uses (ONNX Runtime's {@code Fp16Conversions}) against
 * an independent implementation from the IEEE 754 definition ({@link Float16Reference}): every one
 * of the 65,536 halves, and floats of every magnitude, the ties, subnormals and overflow edges.
 */
class Float16Test {
  private static int library(float f) {
    return Fp16Conversions.floatToFp16(f) & 0xffff;
  }

  private static int reference(float f) {
    return Float16Reference.fromFloat(f) & 0xffff;
  }

  @Test
  void everyHalfDecodesToTheSameFloatAsTheReference() {
    for (int h = 0; h <= 0xffff; h++) {
      float expected = Float16Reference.toFloat((short) h);
      float actual = Fp16Conversions.fp16ToFloat((short) h);
      if (Float.isNaN(expected)) {
        assertTrue(Float.isNaN(actual), "NaN half 0x" + Integer.toHexString(h) + " decodes to NaN");
      } else {
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
            "half 0x" + Integer.toHexString(h));
      }
    }
  }

  @Test
  void everyHalfSurvivesARoundTripThroughFloat() {
    for (int h = 0; h <= 0xffff; h++) {
      float f = Float16Reference.toFloat((short) h);
      if (Float.isNaN(f)) {
        assertTrue(Float.isNaN(Fp16Conversions.fp16ToFloat(Fp16Conversions.floatToFp16(f))),
            "NaN stays NaN: " + Integer.toHexString(h));
      } else {
        assertEquals(h, library(f), "round trip of 0x" + Integer.toHexString(h));
      }
    }
  }

  @Test
  void referenceDecodesKnownValuesExactly() {
    assertEquals(1.0f, Float16Reference.toFloat((short) 0x3c00));
    assertEquals(-2.0f, Float16Reference.toFloat((short) 0xc000));
    assertEquals(65504f, Float16Reference.toFloat((short) 0x7bff));
    assertEquals(0x1p-14f, Float16Reference.toFloat((short) 0x0400), "smallest normal");
    assertEquals(0x1p-24f, Float16Reference.toFloat((short) 0x0001), "smallest subnormal");
    assertEquals(0x3ffp-24f, Float16Reference.toFloat((short) 0x03ff), "largest subnormal");
    assertEquals(Float.POSITIVE_INFINITY, Float16Reference.toFloat((short) 0x7c00));
    assertEquals(Float.NEGATIVE_INFINITY, Float16Reference.toFloat((short) 0xfc00));
    assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(Float16Reference.toFloat((short) 0x8000)));
  }

  @Test
  void edgeCasesEncodeAsTheReferenceAndTheStandardSay() {
    float[] values = {
      0f, -0f, 1f, -2f, 65504f, 65519.99f, 65520f, -1e10f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
      1f + 0x1p-11f, 1f + 3 * 0x1p-11f, Math.nextUp(1f + 0x1p-11f),
      0x1p-24f, 0x1p-25f, Math.nextUp(0x1p-25f), 3 * 0x1p-25f, 1e-10f, -1e-10f, Math.nextDown(0x1p-14f), 0x3ffp-24f
    };
    int[] halves = {
      0x0000, 0x8000, 0x3c00, 0xc000, 0x7bff, 0x7bff, 0x7c00, 0xfc00, 0x7c00, 0xfc00,
      0x3c00, 0x3c02, 0x3c01,
      0x0001, 0x0000, 0x0001, 0x0002, 0x0000, 0x8000, 0x0400, 0x03ff
    };
    for (int i = 0; i < values.length; i++) {
      assertEquals(halves[i], reference(values[i]), "reference: " + values[i]);
      assertEquals(halves[i], library(values[i]), "library: " + values[i]);
    }
  }

  @Test
  void nanEncodesAsNanEvenWithOnlyLowPayloadBits() {
    for (float nan : new float[] {Float.NaN, Float.intBitsToFloat(0x7f80_0001), Float.intBitsToFloat(0xffc0_0000)}) {
      assertTrue(Float.isNaN(Fp16Conversions.fp16ToFloat(Fp16Conversions.floatToFp16(nan))));
      assertTrue(Float.isNaN(Float16Reference.toFloat(Float16Reference.fromFloat(nan))));
    }
  }

  @Test
  void floatsOfEveryMagnitudeEncodeAsTheReference() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 2_000_000; i++) {
      float f = (float) ((random.nextDouble() * 2 - 1) * Math.pow(2, random.nextInt(-30, 18)));
      assertEquals(reference(f), library(f), () -> "float " + f + " (0x" + Integer.toHexString(Float.floatToRawIntBits(f)) + ")");
    }
    // every float whose top 19 bits differ, i.e. every half ulp and the tie points between halves
    for (int bits = 0; bits >= 0; bits += 1 << 12) {
      float f = Float.intBitsToFloat(bits);
      if (!Float.isNaN(f)) {
        assertEquals(reference(f), library(f), "float bits 0x" + Integer.toHexString(bits));
        assertEquals(reference(-f), library(-f), "float bits -0x" + Integer.toHexString(bits));
      }
    }
  }

  @Test
  void referenceRoundsRandomFloatsToTheNearestHalf() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      float f = (float) ((random.nextDouble() * 2 - 1) * Math.pow(2, random.nextInt(-26, 17)));
      short h = Float16Reference.fromFloat(f);
      float chosen = Float16Reference.toFloat(h);
      if (Float.isInfinite(chosen)) {
        assertTrue(Math.abs(f) >= 65520f, "only values from 65520 overflow: " + f);
        continue;
      }
      double error = Math.abs((double) f - chosen);
      for (int neighbour : new int[] {(h & 0xffff) - 1, (h & 0xffff) + 1}) {
        if ((neighbour & 0x7fff) > 0x7bff || neighbour < 0 || neighbour > 0xffff) {
          continue;
        }
        double other = Math.abs((double) f - Float16Reference.toFloat((short) neighbour));
        assertTrue(error < other || (error == other && (h & 1) == 0),
            "0x" + Integer.toHexString(h & 0xffff) + " is not the nearest (ties even) half to " + f);
      }
    }
  }
}
