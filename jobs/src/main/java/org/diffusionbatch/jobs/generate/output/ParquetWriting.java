package org.diffusionbatch.jobs.generate.output;

import java.util.LinkedHashMap;
import java.util.Map;
import org.diffusionbatch.jobs.dataset.ImageRows;

/**
 * Writer options for image rows. Rows are tens to hundreds of kilobytes (a 512x512 PNG is ~400 KB),
 * so: 64 MB row groups (~150 such images; smaller than the 128 MB default so each concurrently
 * writing task buffers less, still large enough for efficient scans); no dictionary and no
 * statistics on the PNG bytes (every value is distinct, and min/max of images are useless bytes
 * in every footer); snappy for the file, which costs little on already-compressed PNG and still
 * shrinks the text columns.
 */
public final class ParquetWriting {
  private ParquetWriting() {}

  static final long ROW_GROUP_BYTES = 64L * 1024 * 1024;

  public static Map<String, String> imageOptions(int maxRecordsPerFile) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("compression", "snappy");
    options.put("maxRecordsPerFile", Integer.toString(maxRecordsPerFile));
    options.put("parquet.block.size", Long.toString(ROW_GROUP_BYTES));
    options.put("parquet.enable.dictionary#" + ImageRows.IMAGE_BYTES_COLUMN, "false");
    options.put("parquet.column.statistics.enabled#" + ImageRows.IMAGE_BYTES_COLUMN, "false");
    // The per-page size statistics of Parquet 1.15 are likewise useless for image bytes.
    options.put("parquet.size.statistics.enabled#" + ImageRows.IMAGE_BYTES_COLUMN, "false");
    return options;
  }
}
