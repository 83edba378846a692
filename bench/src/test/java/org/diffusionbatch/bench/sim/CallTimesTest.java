package org.diffusionbatch.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CallTimesTest {
  private static final CallTimes UNET = DeviceProfile.H100_SD15.unet();

  @Test
  void measuredRowCountsTakeTheAnchorsSeconds() {
    assertEquals(0.027, UNET.secondsFor(2), 1e-12);
    assertEquals(0.053, UNET.secondsFor(16), 1e-12);
    assertEquals(0.194, UNET.secondsFor(64), 1e-12);
    assertEquals(0.231, DeviceProfile.H100_SD15.vaeDecoder().secondsFor(16), 1e-12);
    assertEquals(0.053, DeviceProfile.H100_SD15.unetLcm().secondsFor(16), 1e-12);
  }

  @Test
  void rowCountsBetweenMeasuredOnesAreLinearInRows() {
    // Halfway between 16 (0.053 s) and 32 (0.100 s).
    assertEquals(0.0765, UNET.secondsFor(24), 1e-12);
    // Halfway between 2 (0.027 s) and 8 (0.052 s).
    assertEquals(0.0395, UNET.secondsFor(5), 1e-12);
  }

  @Test
  void fewerRowsThanMeasuredTakeTheSmallestTimeAndMoreContinueTheLastSlope() {
    assertEquals(0.027, UNET.secondsFor(1), 1e-12);
    // 128 rows: 0.194 + 64 x (0.194 - 0.100) / 32.
    assertEquals(0.382, UNET.secondsFor(128), 1e-12);
    assertEquals(0.004, DeviceProfile.H100_SD15.textEncoder().secondsFor(64), 1e-12);
  }

  @Test
  void ceilingOfTheAnchorSettingsIsTheSumOfTheirCalls() {
    // DPM-Solver++ batch 8 with CFG: 8 text rows (flat 0.004), 20 UNet calls of 16 rows (0.053), VAE of 8 (0.121).
    assertEquals(8 / (0.004 + 20 * 0.053 + 0.121), DeviceProfile.H100_SD15.ceilingImagesPerSecond(8, 20, true, false), 1e-9);
    // LCM batch 16: 4 UNet calls of 16 rows with timestep_cond (0.053), VAE of 16 (0.231).
    assertEquals(16 / (0.004 + 4 * 0.053 + 0.231), DeviceProfile.H100_SD15.ceilingImagesPerSecond(16, 4, false, true), 1e-9);
  }

  @Test
  void rowCountsMustIncrease() {
    assertThrows(IllegalArgumentException.class, () -> new CallTimes(new int[] {8, 2}, new double[] {0.1, 0.2}));
    assertThrows(IllegalArgumentException.class, () -> UNET.secondsFor(0));
  }
}
