package org.diffusionbatch.jobs.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChunkTest {

  @Test
  void groupsAreConsecutiveNearlyEqualRanges() {
    assertArrayEquals(new int[] {0, 3, 6, 10}, Chunk.groupBounds(10, 3));
    assertArrayEquals(new int[] {0, 16, 32, 48, 64}, Chunk.groupBounds(64, 4));
  }

  @Test
  void chunksStayWithinTheirGroupAndAreNumberedInOrder() {
    Cell cell = new Cell("c0", "/m", "m", "ddim", 2, 1.0, 0.0, Map.of(), 128, 128, 2);
    List<SampleRow> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(new SampleRow(i, "k" + i, "k" + i, "p", "", i));
    }
    List<Chunk> chunks = Chunk.of(cell, rows, 3, 2);
    assertEquals(List.of(0, 0, 1, 1, 2, 2), chunks.stream().map(Chunk::group).toList());
    assertEquals(List.of(0, 1, 2, 3, 4, 5), chunks.stream().map(Chunk::index).toList());
    assertEquals(List.of(2, 1, 2, 1, 2, 2), chunks.stream().map(c -> c.rows().size()).toList());
    assertEquals(List.of(6, 7), chunks.get(4).rows().stream().map(SampleRow::index).toList());
  }

  @Test
  void samplingErrorIsTheGroupsSpreadOverTheRootOfTheirNumber() {
    // sd(1, 2, 3, 4) with ddof 1 = sqrt(5/3); over sqrt(4)
    assertEquals(Math.sqrt(5.0 / 3.0) / 2.0, MetricsRow.samplingError(List.of(1.0, 2.0, 3.0, 4.0)), 1e-15);
    assertEquals(0.6454972243679028, MetricsRow.samplingError(List.of(1.0, 2.0, 3.0, 4.0)), 1e-15);
  }
}
