package org.diffusionbatch.jobs.sweep;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One task's share of a cell: consecutive sample rows, all within one error group. Chunks depend
 * only on the number of images, the groups and the chunk size (never on the cluster), and are
 * merged in index order, so a cell's statistics come out bit for bit the same on any cluster and
 * after any retry.
 *
 * @param group the error group (see {@link #groupBounds}) the rows belong to
 * @param index the chunk's position within the cell
 */
record Chunk(Cell cell, int group, int index, List<SampleRow> rows) implements Serializable {

  /** Splits the rows into {@code groups} consecutive groups of (nearly) equal size, each cut into chunks of at most chunkSize rows. */
  static List<Chunk> of(Cell cell, List<SampleRow> rows, int groups, int chunkSize) {
    List<Chunk> chunks = new ArrayList<>();
    int[] bounds = groupBounds(rows.size(), groups);
    for (int g = 0; g < groups; g++) {
      for (int from = bounds[g]; from < bounds[g + 1]; from += chunkSize) {
        int to = Math.min(from + chunkSize, bounds[g + 1]);
        chunks.add(new Chunk(cell, g, chunks.size(), List.copyOf(rows.subList(from, to))));
      }
    }
    return chunks;
  }

  /** Group g holds rows [bounds[g], bounds[g+1]): floor(g * n / groups). */
  static int[] groupBounds(int n, int groups) {
    int[] bounds = new int[groups + 1];
    for (int g = 0; g <= groups; g++) {
      bounds[g] = (int) ((long) g * n / groups);
    }
    return bounds;
  }
}
