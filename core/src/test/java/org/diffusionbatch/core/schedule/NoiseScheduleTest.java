package org.diffusionbatch.core.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NoiseScheduleTest {
  private static final NoiseSchedule SD = NoiseSchedule.of("scaled_linear", 0.00085, 0.012, 1000, null, false);

  @Test
  void stableDiffusionSigmasMatchTorchBitForBit() {
    // shared/specs/samplers.md: S[0] and S[999] as torch computes them in float32
    assertEquals(0.029167533f, SD.sigma(0));
    assertEquals(14.614647f, SD.sigma(999));
  }

  @Test
  void torchLinspaceHitsBothEndpointsExactlyAndIsMonotone() {
    float[] l = TorchLinspace.float32(Math.sqrt(0.00085), Math.sqrt(0.012), 1000);
    assertEquals((float) Math.sqrt(0.00085), l[0]);
    assertEquals((float) Math.sqrt(0.012), l[999]);
    for (int i = 1; i < l.length; i++) {
      assertTrue(l[i] > l[i - 1]);
    }
  }

  @Test
  void alphasCumprodDecreaseFromOneMinusTheFirstBeta() {
    NoiseSchedule linear = NoiseSchedule.of("linear", 0.0001, 0.02, 1000, null, false);
    assertEquals(1f - 0.0001f, linear.alphaCumprod(0));
    for (int t = 1; t < 1000; t++) {
      assertTrue(linear.alphaCumprod(t) < linear.alphaCumprod(t - 1));
    }
    assertEquals(0.02f, linear.betas()[999]);
  }

  @Test
  void cosineScheduleIsCappedAtBeta0999() {
    float[] b = NoiseSchedule.of("squaredcos_cap_v2", 0, 0, 1000, null, false).betas();
    assertEquals(0.999f, b[999]);
    assertTrue(b[0] > 0 && b[0] < 1e-4);
  }

  @Test
  void zeroTerminalSnrRescaleEndsAtZeroAlphaAndKeepsTheFirst() {
    NoiseSchedule z = NoiseSchedule.of("scaled_linear", 0.00085, 0.012, 1000, null, true);
    assertEquals(0f, z.alphaCumprod(999));
    assertEquals(SD.alphaCumprod(0), z.alphaCumprod(0), 1e-6);
    NoiseSchedule floored = z.withTerminalAlphaFloor();
    assertEquals(0x1p-24f, floored.alphaCumprod(999));
    assertTrue(Float.isFinite(floored.sigma(999)));
  }

  @Test
  void trainedBetasAreUsedAsGiven() {
    NoiseSchedule s = NoiseSchedule.of("ignored", 0, 0, 3, new float[] {0.1f, 0.2f, 0.3f}, false);
    assertEquals(3, s.trainSteps());
    assertEquals(0.9f * 0.8f, s.alphaCumprod(1), 1e-7);
  }

  @Test
  void unknownBetaScheduleNamesTheChoices() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NoiseSchedule.of("sigmoid", 0.1, 0.2, 10, null, false));
    assertTrue(e.getMessage().contains("scaled_linear") && e.getMessage().contains("trained_betas"));
  }

  @Test
  void sigmaInterpolationAndItsInverseRoundTrip() {
    assertEquals(SD.sigma(500), SD.sigmaAt(500), 0);
    double mid = SD.sigmaAt(500.25);
    assertTrue(mid > SD.sigma(500) && mid < SD.sigma(501));
    // log sigma in float64 against the float32 log table, as numpy compares them
    assertEquals(500, SD.timestepOf(SD.sigma(500)), 1e-4);
    assertEquals(0, SD.timestepOf(1e-6), 0, "below the table clips to 0");
    assertEquals(999, SD.timestepOf(100), 0, "above the table clips to the end");
  }

  @Test
  void karrasSigmasRunFromMaxToMinWithRho7Spacing() {
    double[] k = KarrasSigmas.of(SD.sigma(0), SD.sigma(999), 10);
    assertEquals(SD.sigma(999), k[0], 1e-12 * k[0]);
    assertEquals(SD.sigma(0), k[9], 1e-12);
    for (int i = 1; i < k.length; i++) {
      assertTrue(k[i] < k[i - 1]);
    }
    // evenly spaced in sigma^(1/7)
    double d0 = Math.pow(k[0], 1 / 7.0) - Math.pow(k[1], 1 / 7.0);
    double d8 = Math.pow(k[8], 1 / 7.0) - Math.pow(k[9], 1 / 7.0);
    assertEquals(d0, d8, 1e-12);
  }
}
