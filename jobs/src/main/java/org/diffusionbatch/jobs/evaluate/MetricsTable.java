package org.diffusionbatch.jobs.evaluate;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The metrics table {@code evaluate} writes, one row per group: the group columns (as typed in the
 * images), then each metric with the sample size it was computed from. Null where a metric was
 * not asked for.
 */
final class MetricsTable {
  private MetricsTable() {}

  /** Settings every row repeats, so a row read alone says what it measured. */
  record Context(String featuresModel, String featuresDigest, Integer featureDim, String preprocessing,
      FeatureSet reference, String clipModel) {}

  static StructType schema(List<String> groupColumns, List<DataType> groupTypes) {
    StructType schema = new StructType();
    for (int i = 0; i < groupColumns.size(); i++) {
      schema = schema.add(groupColumns.get(i), groupTypes.get(i), true);
    }
    return schema
        .add("images", DataTypes.LongType, false)
        .add("n", DataTypes.LongType, false)
        .add("excluded_unreadable", DataTypes.LongType, false)
        .add("excluded_nonfinite", DataTypes.LongType, false)
        .add("fid", DataTypes.DoubleType, true)
        .add("fid_reference_n", DataTypes.LongType, true)
        .add("fid_offset_used", DataTypes.BooleanType, true)
        .add("kid_mean", DataTypes.DoubleType, true)
        .add("kid_std", DataTypes.DoubleType, true)
        .add("kid_subsets", DataTypes.IntegerType, true)
        .add("kid_subset_size", DataTypes.IntegerType, true)
        .add("kid_n", DataTypes.LongType, true)
        .add("kid_reference_n", DataTypes.LongType, true)
        .add("clip_score", DataTypes.DoubleType, true)
        .add("clip_n", DataTypes.LongType, true)
        .add("feature_dim", DataTypes.IntegerType, true)
        .add("features_model", DataTypes.StringType, true)
        .add("features_digest", DataTypes.StringType, true)
        .add("preprocessing", DataTypes.StringType, true)
        .add("reference", DataTypes.StringType, true)
        .add("clip_model", DataTypes.StringType, true);
  }

  static Row row(GroupMetrics m, Context c) {
    List<Object> values = new ArrayList<>(m.key().values());
    Long referenceN = c.reference() == null ? null : c.reference().count();
    values.add(m.images());
    values.add(m.n());
    values.add(m.unreadable());
    values.add(m.nonFinite());
    values.add(m.fid() == null ? null : m.fid().value());
    values.add(m.fid() == null ? null : referenceN);
    values.add(m.fid() == null ? null : m.fid().offsetUsed());
    values.add(m.kid() == null ? null : m.kid().mean());
    values.add(m.kid() == null ? null : m.kid().std());
    values.add(m.kid() == null ? null : m.kid().subsets());
    values.add(m.kid() == null ? null : m.kid().subsetSize());
    values.add(m.kid() == null ? null : m.kid().n1());
    values.add(m.kid() == null ? null : m.kid().n2());
    values.add(m.clipScore());
    values.add(m.clipScore() == null ? null : m.clipN());
    values.add(c.featureDim());
    values.add(c.featuresModel());
    values.add(c.featuresDigest());
    values.add(c.preprocessing());
    values.add(c.reference() == null ? null : c.reference().uri());
    values.add(c.clipModel());
    return RowFactory.create(values.toArray());
  }

  /** The table as CSV with a header: numbers in full precision, empty for null, RFC 4180 quoting. */
  static String csv(StructType schema, List<Row> rows) {
    StringBuilder out = new StringBuilder();
    String[] names = schema.fieldNames();
    for (int i = 0; i < names.length; i++) {
      out.append(i == 0 ? "" : ",").append(quote(names[i]));
    }
    out.append('\n');
    for (Row row : rows) {
      for (int i = 0; i < row.size(); i++) {
        Object v = row.get(i);
        out.append(i == 0 ? "" : ",").append(v == null ? "" : quote(String.valueOf(v)));
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String quote(String text) {
    if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
      return "\"" + text.replace("\"", "\"\"") + "\"";
    }
    return text;
  }
}
