package org.diffusionbatch.jobs.sweep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * One cell as one Spark job: a task per chunk makes and scores its images; the chunks' summaries
 * are shuffled to one reducer per error group, which folds them in chunk order; the driver gets
 * one summary per group. Statistics are merged on executors (a 2048-d summary is 32 MB), and the
 * fixed chunking and fold order make the result independent of executors, retries and timing.
 */
final class CellJob {
  private CellJob() {}

  /** The cell's group parts, in group order. */
  static List<CellPart> run(JavaSparkContext jsc, List<Chunk> chunks, int groups, ChunkScorer scorer) {
    int[] groupOfChunk = new int[chunks.size()];
    for (Chunk chunk : chunks) {
      groupOfChunk[chunk.index()] = chunk.group();
    }
    JavaPairRDD<Integer, CellPart> parts = jsc.parallelize(chunks, chunks.size())
        .mapToPair(chunk -> new Tuple2<>(chunk.index(), scorer.call(chunk)));
    List<CellPart> folded = parts
        .repartitionAndSortWithinPartitions(new GroupPartitioner(groupOfChunk, groups), Comparator.<Integer>naturalOrder())
        .mapPartitions(CellJob::foldInOrder)
        .collect();
    List<CellPart> byGroup = new ArrayList<>(folded);
    byGroup.sort(Comparator.comparingInt(p -> p.group));
    if (byGroup.size() != groups) {
      throw new IllegalStateException("expected " + groups + " group summaries, got " + byGroup.size());
    }
    return byGroup;
  }

  private static Iterator<CellPart> foldInOrder(Iterator<Tuple2<Integer, CellPart>> sorted) {
    CellPart folded = null;
    while (sorted.hasNext()) {
      CellPart next = sorted.next()._2();
      folded = folded == null ? next : folded.absorb(next);
    }
    return folded == null ? java.util.Collections.emptyIterator() : List.of(folded).iterator();
  }

  /** Sends each chunk's summary to its error group's reducer. */
  private static final class GroupPartitioner extends Partitioner {
    private final int[] groupOfChunk;
    private final int groups;

    GroupPartitioner(int[] groupOfChunk, int groups) {
      this.groupOfChunk = groupOfChunk;
      this.groups = groups;
    }

    @Override
    public int numPartitions() {
      return groups;
    }

    @Override
    public int getPartition(Object chunkIndex) {
      return groupOfChunk[(Integer) chunkIndex];
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof GroupPartitioner p && p.groups == groups && java.util.Arrays.equals(p.groupOfChunk, groupOfChunk);
    }

    @Override
    public int hashCode() {
      return 31 * groups + java.util.Arrays.hashCode(groupOfChunk);
    }
  }
}
