package org.diffusionbatch.jobs.dataset;

import java.sql.Timestamp;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionbatch.core.pipeline.GeneratedImage;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.core.pipeline.StageTimings;
import org.diffusionbatch.jobs.prompts.StableIds;

/**
 * The output dataset: one row per image with everything needed to make it again. The image column
 * follows Hugging Face datasets' Image feature ({@code struct<bytes: binary, path: string>}), so
 * {@code datasets.load_dataset("parquet", ...)} shows images.
 */
public final class ImageRows {
  private ImageRows() {}

  public static final StructType IMAGE_TYPE = new StructType()
      .add("bytes", DataTypes.BinaryType)
      .add("path", DataTypes.StringType);

  public static final StructType SCHEMA = new StructType()
      .add("prompt_id", DataTypes.StringType, false)
      .add("prompt", DataTypes.StringType, false)
      .add("negative_prompt", DataTypes.StringType, true) // null: none given (SDXL then guides from zeros)
      .add("seed", DataTypes.LongType, false)
      .add("sampler", DataTypes.StringType, false)
      .add("steps", DataTypes.IntegerType, false)
      .add("guidance_scale", DataTypes.DoubleType, false)
      .add("guidance_rescale", DataTypes.DoubleType, false)
      .add("width", DataTypes.IntegerType, false)
      .add("height", DataTypes.IntegerType, false)
      .add("model", DataTypes.StringType, false)
      .add("model_digest", DataTypes.StringType, false)
      .add("image", IMAGE_TYPE, false)
      .add("image_sha256", DataTypes.StringType, false)
      .add("run_id", DataTypes.StringType, false)
      .add("text_ms", DataTypes.DoubleType, false)
      .add("unet_ms", DataTypes.DoubleType, false)
      .add("sampler_ms", DataTypes.DoubleType, false)
      .add("decode_ms", DataTypes.DoubleType, false)
      .add("png_ms", DataTypes.DoubleType, false)
      .add("created_at", DataTypes.TimestampType, false);

  /** The column path of the PNG bytes, for column-level Parquet writer options. */
  public static final String IMAGE_BYTES_COLUMN = "image.bytes";

  /** The row of one image the pipeline made from {@code request} at {@code settings}, with its PNG and the time encoding it took. */
  public static Row row(
      String promptId, GenerationRequest request, GenerationSettings settings, String modelUri, String modelDigest,
      GeneratedImage made, byte[] png, long pngNanos, String runId) {
    StageTimings t = made.timings();
    return RowFactory.create(
        promptId, request.prompt(), request.negativePrompt(), request.seed(),
        settings.sampler(), settings.steps(), settings.guidanceScale(), settings.guidanceRescale(),
        made.width(), made.height(), modelUri, modelDigest,
        RowFactory.create(png, ImagePaths.fileName(promptId)),
        StableIds.sha256Hex(png), runId,
        millis(t.textNanos()), millis(t.unetNanos()), millis(t.samplerNanos()), millis(t.decodeNanos()),
        millis(pngNanos), new Timestamp(System.currentTimeMillis()));
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }
}
