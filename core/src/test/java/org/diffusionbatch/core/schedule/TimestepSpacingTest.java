package org.diffusionbatch.core.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Timestep lists diffusers produces for known configs (numpy round-half-even). */
class TimestepSpacingTest {
  @Test
  void dpmSolverLinspaceTwentyStepsRunFrom999DownTo50() {
    double[] t = TimestepSpacing.LINSPACE.solverGrid(1000, 1000, 20, 1);
    assertArrayEquals(new double[] {999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 500, 450, 400,
        350, 300, 250, 200, 150, 100, 50}, t);
  }

  @Test
  void dpmSolverLeadingUsesNPlusOneIntervalsAndTheOffset() {
    // ratio 1000 // 21 = 47
    double[] t = TimestepSpacing.LEADING.solverGrid(1000, 1000, 20, 1);
    assertEquals(20 * 47 + 1, t[0]);
    assertEquals(47 + 1, t[19]);
  }

  @Test
  void trailingStartsAt999AndStepsByTrainOverN() {
    assertArrayEquals(new double[] {999, 749, 499, 249}, TimestepSpacing.TRAILING.strided(1000, 4, 1, true));
    assertArrayEquals(new double[] {999, 666, 332}, TimestepSpacing.TRAILING.solverGrid(1000, 1000, 3, 0));
  }

  @Test
  void ddimLeadingFiftyStepsWithOffsetRunFrom981To1() {
    double[] t = TimestepSpacing.LEADING.strided(1000, 50, 1, true);
    assertEquals(50, t.length);
    assertEquals(981, t[0]);
    assertEquals(961, t[1]);
    assertEquals(1, t[49]);
  }

  @Test
  void ddimLinspaceRoundsHalfToEven() {
    // linspace(0, 999, 3) = 0, 499.5, 999 -> numpy rounds 499.5 to 500 (even)
    assertArrayEquals(new double[] {999, 500, 0}, TimestepSpacing.LINSPACE.strided(1000, 3, 0, true));
    // linspace(0, 999, 5) = 0, 249.75, 499.5, 749.25, 999
    assertArrayEquals(new double[] {999, 749, 500, 250, 0}, TimestepSpacing.LINSPACE.strided(1000, 5, 0, true));
  }

  @Test
  void eulerLinspaceKeepsFractionalFloat32Timesteps() {
    double[] t = TimestepSpacing.LINSPACE.strided(1000, 4, 0, false);
    assertArrayEquals(new double[] {999, 666, 333, 0}, t);
    double[] t5 = TimestepSpacing.LINSPACE.strided(1000, 5, 0, false);
    assertEquals((float) 749.25, t5[1], 0);
  }

  @Test
  void unknownSpacingIsRejectedWithTheChoices() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimestepSpacing.parse("even"));
    assertEquals("scheduler config timestep_spacing 'even' is not supported; use linspace, leading or trailing",
        e.getMessage());
  }
}
