package org.diffusionbatch.core.rng;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TorchGeneratorTest {

  @Test
  void successiveVectorCallsContinueTheStreamLikeOneLongCall() {
    TorchGenerator split = new TorchGenerator(123);
    float[] parts = new float[64];
    split.randn(parts, 0, 32);
    split.randn(parts, 32, 32);
    // With counts that are multiples of 16, torch's blocks line up, so two calls equal one.
    assertArrayEquals(new TorchGenerator(123).randn(64), parts);
  }

  @Test
  void secondCallDiffersFromFirst() {
    TorchGenerator g = new TorchGenerator(5);
    float[] first = g.randn(1, 4, 8, 8);
    float[] second = g.randn(1, 4, 8, 8);
    assertFalse(Arrays.equals(first, second));
  }

  @Test
  void scalarCallsReuseTheCachedSineHalfAcrossCalls() {
    TorchGenerator split = new TorchGenerator(77);
    float[] parts = new float[6];
    split.randn(parts, 0, 3); // leaves the sine half of the second pair cached
    split.randn(parts, 3, 3);
    assertArrayEquals(new TorchGenerator(77).randn(6), parts);
  }

  @Test
  void tailOfNonMultipleOf16IsRedrawnFromFreshUniforms() {
    float[] twenty = new TorchGenerator(9).randn(20);
    // The first 4 come from the first block of 16, like a plain randn(16).
    assertArrayEquals(Arrays.copyOf(new TorchGenerator(9).randn(16), 4), Arrays.copyOf(twenty, 4));
    // The last 16 come from uniforms 20..35: skip 16 outputs (one vector call) plus 4 (one scalar pair).
    TorchGenerator skip = new TorchGenerator(9);
    skip.randn(16);
    skip.randn(2);
    assertArrayEquals(skip.randn(16), Arrays.copyOfRange(twenty, 4, 20));
  }

  @Test
  void onlyTheLow32BitsOfTheSeedReachTheEngine() {
    assertArrayEquals(new TorchGenerator(5).randn(40), new TorchGenerator((1L << 32) + 5).randn(40));
  }

  @Test
  void seededNoiseRowDependsOnlyOnItsOwnSeed() {
    var shape = new org.diffusionbatch.core.sampler.LatentShape(3, 4, 8, 8);
    float[] batch = new float[shape.size()];
    SeededNoise noise = new SeededNoise(11, 22, 33);
    noise.fill(batch, shape);
    float[] alone = new float[shape.rowSize()];
    new SeededNoise(22).fill(alone, shape.withBatch(1));
    int row = shape.rowSize();
    assertArrayEquals(alone, Arrays.copyOfRange(batch, row, 2 * row));
    assertArrayEquals(new TorchGenerator(22).randn(1, 4, 8, 8), alone);
  }

  @Test
  void seededNoiseContinuesEachRowsStreamOnTheNextFill() {
    var shape = new org.diffusionbatch.core.sampler.LatentShape(2, 4, 8, 8);
    SeededNoise noise = new SeededNoise(1, 2);
    float[] batch = new float[shape.size()];
    noise.fill(batch, shape);
    noise.fill(batch, shape);
    TorchGenerator second = new TorchGenerator(2);
    second.randn(shape.rowSize());
    assertArrayEquals(second.randn(shape.rowSize()), Arrays.copyOfRange(batch, shape.rowSize(), 2 * shape.rowSize()));
  }

  @Test
  void seededNoiseRejectsABatchOfTheWrongSize() {
    var shape = new org.diffusionbatch.core.sampler.LatentShape(2, 4, 8, 8);
    var e = assertThrows(IllegalArgumentException.class, () -> new SeededNoise(1, 2, 3).fill(new float[shape.size()], shape));
    assertEquals(true, e.getMessage().contains("one seed per batch row"));
  }
}
