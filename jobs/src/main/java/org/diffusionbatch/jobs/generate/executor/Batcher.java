package org.diffusionbatch.jobs.generate.executor;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.diffusionbatch.core.pipeline.GenerationSettings;

/**
 * Forms batches from a stream of planned rows (the model checks each batch's settings when it runs it): rows wait in one bucket per settings (sampler,
 * steps, guidance, size, ...) until the bucket holds a full batch, so only rows that can share a
 * UNet call are batched and at most (distinct settings x batch size) rows are held. At the end of
 * the stream the partly filled buckets come out, oldest first.
 */
final class Batcher {
  private final Iterator<RowPlan> rows;
  private final int batchSize;
  private final Consumer<RowPlan> onRejected;
  private final Map<GenerationSettings, List<RowPlan>> buckets = new LinkedHashMap<>();

  /** @param onRejected receives rows that failed to plan */
  Batcher(Iterator<RowPlan> rows, int batchSize, Consumer<RowPlan> onRejected) {
    this.rows = rows;
    this.batchSize = batchSize;
    this.onRejected = onRejected;
  }

  /** The next batch (all rows share settings), or null when the stream is done. */
  List<RowPlan> next() {
    while (rows.hasNext()) {
      RowPlan row = rows.next();
      if (!row.ok()) {
        onRejected.accept(row);
        continue;
      }
      List<RowPlan> bucket = buckets.computeIfAbsent(row.settings(), s -> new ArrayList<>(batchSize));
      bucket.add(row);
      if (bucket.size() == batchSize) {
        return buckets.remove(row.settings());
      }
    }
    Iterator<List<RowPlan>> remaining = buckets.values().iterator();
    if (!remaining.hasNext()) {
      return null;
    }
    List<RowPlan> batch = remaining.next();
    remaining.remove();
    return batch;
  }
}
