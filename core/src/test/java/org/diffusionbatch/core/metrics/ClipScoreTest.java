package org.diffusionbatch.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClipScoreTest {
  @Test
  void scoreIsHundredTimesTheMeanCosine() {
    ClipScore s = new ClipScore();
    s.add(new float[] {3, 4}, new float[] {4, 3}); // cos 24/25 -> 96
    s.add(new float[] {1, 0}, new float[] {2, 0}); // cos 1 -> 100
    s.add(new float[] {0, 5}, new float[] {1, 1}); // cos 1/sqrt(2) -> 70.7106781...
    assertEquals((96 + 100 + 100 / Math.sqrt(2)) / 3, s.score(), 1e-12);
    assertEquals(3, s.count());
  }

  @Test
  void torchmetricsClampsTheMeanWhileItsDocsClampEachPair() {
    ClipScore s = new ClipScore();
    s.add(new float[] {1, 0}, new float[] {1, 1}); // 70.71
    s.add(new float[] {0, 1}, new float[] {0, -1}); // -100
    assertEquals(0.0, s.score()); // max((70.71 - 100) / 2, 0)
    assertEquals(100 / Math.sqrt(2) / 2, s.meanOfClampedScores(), 1e-12);
  }

  @Test
  void batchesAndMergesGiveTheSameScoreAsPairs() {
    float[] img = FeatureStatisticsTest.features(51, 20, 8);
    float[] txt = FeatureStatisticsTest.features(52, 20, 8);
    ClipScore pairs = new ClipScore();
    for (int r = 0; r < 20; r++) {
      pairs.add(java.util.Arrays.copyOfRange(img, r * 8, r * 8 + 8), java.util.Arrays.copyOfRange(txt, r * 8, r * 8 + 8));
    }
    ClipScore a = new ClipScore();
    a.addBatch(java.util.Arrays.copyOf(img, 7 * 8), java.util.Arrays.copyOf(txt, 7 * 8), 7, 8);
    ClipScore b = new ClipScore();
    b.addBatch(java.util.Arrays.copyOfRange(img, 7 * 8, 20 * 8), java.util.Arrays.copyOfRange(txt, 7 * 8, 20 * 8), 13, 8);
    ClipScore merged = a.merge(b);
    assertEquals(20, merged.count());
    assertEquals(pairs.score(), merged.score(), 1e-12);
  }

  @Test
  void zeroOrNonFiniteEmbeddingsAreCountedNotScored() {
    ClipScore s = new ClipScore();
    assertFalse(s.add(new float[] {0, 0}, new float[] {1, 0}));
    assertFalse(s.add(new float[] {Float.NaN, 1}, new float[] {1, 0}));
    assertEquals(2, s.invalidPairs());
    IllegalStateException e = assertThrows(IllegalStateException.class, s::score);
    assertTrue(e.getMessage().contains("2 had a zero or non-finite embedding"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.add(new float[3], new float[2]));
  }
}
