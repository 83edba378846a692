package org.diffusionbatch.jobs.sweep;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionbatch.jobs.dataset.ImageRows;

/**
 * The rows of the images a sweep keeps ({@code --keep-images}): generate's output format (prompt,
 * seed, sampler, steps, guidance, model, PNG, ...), plus the row's place in the sweep's order and
 * the cell's sampler options. Written per cell under {@code images/cell_id=<id>/}, so
 * {@code spark.read.parquet("<output>/images")} adds the cell_id column.
 */
final class KeptImages {
  private KeptImages() {}

  static final StructType SCHEMA = ImageRows.SCHEMA
      .add("sample_index", DataTypes.IntegerType, false)
      .add("sampler_options", DataTypes.StringType, false);

  static Row extend(Row generateRow, int sampleIndex, String samplerOptions) {
    List<Object> values = new ArrayList<>(SCHEMA.size());
    for (int i = 0; i < generateRow.length(); i++) {
      values.add(generateRow.get(i));
    }
    values.add(sampleIndex);
    values.add(samplerOptions);
    return RowFactory.create(values.toArray());
  }

  static int sampleIndex(Row row) {
    return row.getInt(SCHEMA.fieldIndex("sample_index"));
  }

  static String prompt(Row row) {
    return row.getString(SCHEMA.fieldIndex("prompt"));
  }

  static byte[] png(Row row) {
    return (byte[]) row.getStruct(SCHEMA.fieldIndex("image")).get(0);
  }
}
