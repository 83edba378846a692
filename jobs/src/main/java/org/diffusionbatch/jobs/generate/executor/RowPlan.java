package org.diffusionbatch.jobs.generate.executor;

import java.util.Locale;
import org.apache.spark.sql.Row;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.jobs.generate.RunSettings;
import org.diffusionbatch.jobs.prompts.PromptFormat;
import org.diffusionbatch.jobs.prompts.StableIds;
import org.diffusionbatch.jobs.prompts.WorkColumns;

/**
 * One input row turned into what to make (request + settings), or the reason it cannot be made.
 * Parsing per row keeps a bad value (steps "0", width "abc") that row's error instead of the run's.
 */
record RowPlan(String promptId, String inputJson, GenerationRequest request, GenerationSettings settings, String error) {

  boolean ok() {
    return error == null;
  }

  static RowPlan of(Row row, RunSettings run) {
    String id = row.getAs(WorkColumns.PROMPT_ID);
    String input = row.getAs(WorkColumns.INPUT_JSON);
    try {
      String malformed = row.getAs(WorkColumns.MALFORMED);
      if (malformed != null) {
        String text = malformed.strip();
        throw new IllegalArgumentException("malformed JSON: " + (text.length() > 120 ? text.substring(0, 117) + "..." : text));
      }
      String prompt = row.getAs(WorkColumns.PROMPT);
      if (prompt == null || prompt.isBlank()) {
        throw new IllegalArgumentException("prompt is empty");
      }
      String negative = row.getAs(WorkColumns.NEGATIVE_PROMPT);
      String seedText = row.getAs(WorkColumns.SEED);
      long seed = isBlank(seedText) ? StableIds.seed(run.baseSeed(), id) : parseLong(WorkColumns.SEED, seedText);
      String sampler = row.getAs(WorkColumns.SAMPLER);
      GenerationSettings settings = run.with(
          isBlank(sampler) ? run.sampler() : sampler.trim().toLowerCase(Locale.ROOT),
          intOr(row, WorkColumns.STEPS, run.steps()),
          doubleOr(row, WorkColumns.GUIDANCE_SCALE, run.guidanceScale()),
          intOr(row, WorkColumns.WIDTH, run.width()),
          intOr(row, WorkColumns.HEIGHT, run.height()));
      GenerationRequest request = new GenerationRequest(prompt, negative == null ? run.negativePrompt() : negative, seed);
      return new RowPlan(id, input, request, settings, null);
    } catch (IllegalArgumentException e) {
      return new RowPlan(id, input, null, null, e.getMessage() + " (" + where(row) + ")");
    }
  }

  /** "prompts.jsonl row 3": the row's file (relative to --prompts) and 1-based row; for text files the row is the line. */
  private static String where(Row row) {
    String file = row.getAs(WorkColumns.SOURCE_FILE);
    Long position = row.getAs(WorkColumns.SOURCE_POSITION);
    String unit = PromptFormat.fromName(file == null ? "" : file) == PromptFormat.TEXT ? " line " : " row ";
    return file + unit + (position == null ? "?" : position + 1);
  }

  private static int intOr(Row row, String column, int fallback) {
    String text = row.getAs(column);
    if (isBlank(text)) {
      return fallback;
    }
    long value = parseLong(column, text);
    if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
      throw new IllegalArgumentException(column + " " + text + " is out of range");
    }
    return (int) value;
  }

  private static double doubleOr(Row row, String column, double fallback) {
    String text = row.getAs(column);
    if (isBlank(text)) {
      return fallback;
    }
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(column + " '" + text + "' is not a number");
    }
  }

  private static long parseLong(String column, String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(column + " '" + text + "' is not an integer");
    }
  }

  private static boolean isBlank(String text) {
    return text == null || text.isBlank();
  }
}
