package org.diffusionbatch.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureReservoirTest {
  private static final int D = 6;
  private static final int ROWS = 500;
  private static final float[] X = FeatureStatisticsTest.features(41, ROWS, D);

  private static FeatureReservoir of(int from, int to, long seed) {
    FeatureReservoir r = new FeatureReservoir(50, D, seed);
    for (int row = from; row < to; row++) {
      r.offer("prompt-" + row, X, row * D);
    }
    return r;
  }

  @Test
  void rankIsTheDocumentedSha256OfSeedAndKey() {
    // Values from Python: int.from_bytes(hashlib.sha256(seed.to_bytes(8, 'little', signed=True)
    // + key.encode()).digest()[:8], 'big'), as signed 64-bit.
    assertEquals(-3380600543895626373L, FeatureReservoir.rank(7, "prompt-1"));
    assertEquals(-3649963485666863428L, FeatureReservoir.rank(0, "42"));
    assertEquals(8439614570455790466L, FeatureReservoir.rank(-3, "ünïcode"));
  }

  @Test
  void keepsTheRowsWithTheSmallestRanks() {
    FeatureReservoir all = of(0, ROWS, 3);
    List<String> expected = new ArrayList<>();
    for (int row = 0; row < ROWS; row++) {
      expected.add("prompt-" + row);
    }
    expected.sort(Comparator.comparing((String k) -> FeatureReservoir.rank(3, k), Long::compareUnsigned));
    assertEquals(expected.subList(0, 50), all.keys());
    assertEquals(ROWS, all.seen());
    assertEquals(50, all.size());
    int first = Integer.parseInt(all.keys().get(0).substring("prompt-".length()));
    float[] firstRow = new float[D];
    System.arraycopy(all.features(), 0, firstRow, 0, D);
    float[] want = new float[D];
    System.arraycopy(X, first * D, want, 0, D);
    assertArrayEquals(want, firstRow);
  }

  @Test
  void sampleIsTheSameWhateverThePartitioningAndMergeOrder() {
    FeatureReservoir whole = of(0, ROWS, 11);
    int[] cuts = {0, 7, 301, 302, ROWS};
    FeatureReservoir[] parts = new FeatureReservoir[4];
    for (int p = 0; p < 4; p++) {
      parts[p] = of(cuts[p], cuts[p + 1], 11);
    }
    FeatureReservoir forward = copy(parts[0]).merge(parts[1]).merge(parts[2]).merge(parts[3]);
    FeatureReservoir backward = copy(parts[3]).merge(copy(parts[2]).merge(copy(parts[1]).merge(parts[0])));
    for (FeatureReservoir merged : List.of(forward, backward)) {
      assertEquals(whole.keys(), merged.keys());
      assertArrayEquals(whole.features(), merged.features());
      assertEquals(ROWS, merged.seen());
    }
    assertFalse(of(0, ROWS, 12).keys().equals(whole.keys()), "another seed keeps other rows");
  }

  @Test
  void repeatedKeysAreKeptOnceAndNonFiniteRowsAreCountedNotKept() {
    FeatureReservoir r = new FeatureReservoir(10, 2, 0);
    assertTrue(r.offer("a", new float[] {1, 2}));
    assertFalse(r.offer("a", new float[] {1, 2}));
    assertFalse(r.offer("b", new float[] {Float.NaN, 2}));
    assertFalse(r.offer(7, new float[] {1, Float.POSITIVE_INFINITY}));
    assertEquals(1, r.size());
    assertEquals(4, r.seen());
    assertEquals(2, r.nonFiniteRows());
  }

  @Test
  void bytesAndJavaSerializationRoundTrip() throws Exception {
    FeatureReservoir r = of(0, 200, 5);
    FeatureReservoir back = FeatureReservoir.fromBytes(r.toBytes());
    assertEquals(r.keys(), back.keys());
    assertArrayEquals(r.features(), back.features());
    assertEquals(r.seen(), back.seen());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(r);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      FeatureReservoir read = (FeatureReservoir) in.readObject();
      assertEquals(r.keys(), read.keys());
      assertArrayEquals(r.features(), read.features());
      // still usable: merging more rows keeps the bottom-k property
      read.merge(of(200, ROWS, 5));
      assertEquals(of(0, ROWS, 5).keys(), read.keys());
    }
  }

  @Test
  void reservoirsOfAnotherSeedOrShapeDoNotMerge() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new FeatureReservoir(50, D, 1).merge(new FeatureReservoir(50, D, 2)));
    assertTrue(e.getMessage().contains("seed 2") && e.getMessage().contains("seed 1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new FeatureReservoir(0, D, 1));
  }

  private static FeatureReservoir copy(FeatureReservoir r) {
    return FeatureReservoir.fromBytes(r.toBytes());
  }
}
