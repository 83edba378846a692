package org.diffusionbatch.jobs.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The metrics table of a sweep: {@code metrics/} (Parquet), {@code metrics.csv}, and {@code summary.md} (Markdown);
 * with several models also {@code model_comparison.csv} (each model against the first, see {@link ModelComparison}).
 */
final class MetricsTable {
  private MetricsTable() {}

  static final StructType SCHEMA = new StructType()
      .add("cell_id", DataTypes.StringType, false)
      .add("model", DataTypes.StringType, false)
      .add("model_name", DataTypes.StringType, false)
      .add("sampler", DataTypes.StringType, false)
      .add("steps", DataTypes.IntegerType, false)
      .add("guidance", DataTypes.DoubleType, false)
      .add("guidance_rescale", DataTypes.DoubleType, false)
      .add("sampler_options", DataTypes.StringType, false)
      .add("width", DataTypes.IntegerType, false)
      .add("height", DataTypes.IntegerType, false)
      .add("nfe", DataTypes.IntegerType, false)
      .add("n", DataTypes.LongType, false)
      .add("failed", DataTypes.LongType, false)
      .add("fid", DataTypes.DoubleType, false)
      .add("fid_error", DataTypes.DoubleType, false)
      .add("kid_mean", DataTypes.DoubleType, true)
      .add("kid_std", DataTypes.DoubleType, true)
      .add("kid_n", DataTypes.IntegerType, true)
      .add("clip_score", DataTypes.DoubleType, true)
      .add("clip_n", DataTypes.LongType, false)
      .add("images_per_second", DataTypes.DoubleType, false)
      .add("model_seconds_per_image", DataTypes.DoubleType, false)
      .add("unet_seconds_per_image", DataTypes.DoubleType, false)
      .add("score_seconds_per_image", DataTypes.DoubleType, false)
      .add("cell_seconds", DataTypes.DoubleType, false)
      .add("run_id", DataTypes.StringType, false);

  /** Writes the three forms; returns the Markdown table. */
  static String write(SparkSession spark, SweepOutput output, List<MetricsRow> rows) throws IOException {
    List<Row> sparkRows = new ArrayList<>();
    rows.forEach(r -> sparkRows.add(RowFactory.create(values(r))));
    spark.createDataFrame(sparkRows, SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite).parquet(output.at("metrics"));
    output.write("metrics.csv", csv(rows).getBytes(StandardCharsets.UTF_8));
    List<ModelComparison> comparisons = ModelComparison.of(rows);
    if (!comparisons.isEmpty()) {
      output.write("model_comparison.csv", comparisonCsv(comparisons).getBytes(StandardCharsets.UTF_8));
    }
    String markdown = markdown(rows) + ModelComparison.markdown(comparisons);
    output.write("summary.md", markdown.getBytes(StandardCharsets.UTF_8));
    return markdown;
  }

  private static Object[] values(MetricsRow r) {
    return new Object[] {r.cellId(), r.model(), r.modelName(), r.sampler(), r.steps(), r.guidance(), r.guidanceRescale(),
        r.samplerOptions(), r.width(), r.height(), r.nfe(), r.n(), r.failed(), r.fid(), r.fidError(), r.kidMean(), r.kidStd(),
        r.kidN(), r.clipScore(), r.clipN(), r.imagesPerSecond(), r.modelSecondsPerImage(), r.unetSecondsPerImage(),
        r.scoreSecondsPerImage(), r.cellSeconds(), r.runId()};
  }

  static String csv(List<MetricsRow> rows) {
    StringBuilder out = new StringBuilder(String.join(",", SCHEMA.fieldNames())).append('\n');
    for (MetricsRow row : rows) {
      Object[] values = values(row);
      for (int i = 0; i < values.length; i++) {
        out.append(i == 0 ? "" : ",").append(csvField(values[i]));
      }
      out.append('\n');
    }
    return out.toString();
  }

  /** One line per compared cell: which cells, and ΔFID with its paired error and ΔCLIP (empty without --clip). */
  static String comparisonCsv(List<ModelComparison> comparisons) {
    StringBuilder out = new StringBuilder("baseline_cell_id,cell_id,baseline_model_name,model_name,fid_delta,fid_delta_error,clip_delta\n");
    for (ModelComparison c : comparisons) {
      Object[] values = {c.baseline().cellId(), c.other().cellId(), c.baseline().modelName(), c.other().modelName(), c.fidDelta(),
          Double.isNaN(c.fidDeltaError()) ? null : c.fidDeltaError(), c.clipDelta()};
      for (int i = 0; i < values.length; i++) {
        out.append(i == 0 ? "" : ",").append(csvField(values[i]));
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String csvField(Object value) {
    if (value == null) {
      return "";
    }
    String text = value instanceof Double d ? Double.toString(d) : value.toString();
    return text.matches(".*[\",\\n\\r].*") || text.contains("\n") ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
  }

  /** A Markdown table for people: settings, n, FID ± its sampling error, KID, CLIP score, NFE and speed. */
  static String markdown(List<MetricsRow> rows) {
    boolean models = rows.stream().map(MetricsRow::modelName).distinct().count() > 1;
    boolean rescale = rows.stream().anyMatch(r -> r.guidanceRescale() != 0);
    boolean options = rows.stream().anyMatch(r -> !r.samplerOptions().isEmpty());
    StringBuilder md = new StringBuilder("| ");
    md.append(models ? "model | " : "").append("sampler | steps | guidance | ").append(rescale ? "rescale | " : "")
        .append(options ? "options | " : "")
        .append("NFE | n | FID ± error | KID ×10³ (n) | CLIP score | images/s | model s/image |\n|");
    int columns = 10 + (models ? 1 : 0) + (rescale ? 1 : 0) + (options ? 1 : 0);
    md.append(" --- |".repeat(columns)).append('\n');
    for (MetricsRow r : rows) {
      md.append("| ");
      if (models) {
        md.append(r.modelName()).append(" | ");
      }
      md.append(r.sampler()).append(" | ").append(r.steps()).append(" | ").append(Cell.number(r.guidance())).append(" | ");
      if (rescale) {
        md.append(Cell.number(r.guidanceRescale())).append(" | ");
      }
      if (options) {
        md.append(r.samplerOptions()).append(" | ");
      }
      md.append(r.nfe()).append(" | ").append(r.n()).append(r.failed() > 0 ? " (" + r.failed() + " failed)" : "").append(" | ")
          .append(fmt("%.3f ± %.3f", r.fid(), r.fidError())).append(" | ")
          .append(r.kidMean() == null ? "–" : fmt("%.3f ± %.3f", 1e3 * r.kidMean(), 1e3 * r.kidStd()) + " (" + r.kidN() + ")").append(" | ")
          .append(r.clipScore() == null ? "–" : fmt("%.2f", r.clipScore())).append(" | ")
          .append(fmt("%.1f", r.imagesPerSecond())).append(" | ")
          .append(fmt("%.4f", r.modelSecondsPerImage())).append(" |\n");
    }
    return md.toString();
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
