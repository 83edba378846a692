package org.diffusionbatch.jobs.sweep;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.diffusionbatch.jobs.spark.ConfigurationException;
import org.diffusionbatch.jobs.prompts.PromptFormat;
import org.diffusionbatch.jobs.prompts.PromptTable;
import org.diffusionbatch.jobs.prompts.StableIds;
import org.diffusionbatch.jobs.prompts.WorkColumns;
import org.diffusionbatch.jobs.prompts.WorkList;

/**
 * The images every cell makes, in a fixed order: the prompt table read as generate reads it (same
 * prompt_ids and seeds, duplicates dropped), sorted by prompt_id, the first N rows. With
 * {@code --cycle-prompts}, N beyond the table goes round it again: pass c uses key
 * {@code prompt_id~c} and seed {@code StableIds.seed(base, "prompt_id~c")}. A row's sampler,
 * steps, guidance and size columns are ignored: the grid sets them.
 */
final class SampleRows {
  private SampleRows() {}

  static List<SampleRow> read(SparkSession spark, String prompts, PromptFormat format, int count, boolean cycle, long baseSeed,
      String defaultNegative) {
    PromptTable.Read read = PromptTable.read(spark, prompts, format);
    List<Row> table = WorkList.dropDuplicates(read.rows()).keep()
        .select(col(WorkColumns.PROMPT_ID), col(WorkColumns.PROMPT), col(WorkColumns.NEGATIVE_PROMPT), col(WorkColumns.SEED))
        .orderBy(col(WorkColumns.PROMPT_ID))
        .limit(count)
        .collectAsList();
    if (table.isEmpty()) {
      throw new ConfigurationException("--prompts " + prompts + " holds no prompts");
    }
    if (table.size() < count && !cycle) {
      throw new ConfigurationException("--images-per-cell " + count + " is more than the " + table.size() + " distinct prompts in "
          + prompts + "; give --images-per-cell " + table.size() + " or less, more prompts, or --cycle-prompts to go round them again with new seeds");
    }
    List<SampleRow> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Row row = table.get(i % table.size());
      int pass = i / table.size();
      String promptId = row.getString(0);
      String prompt = row.getString(1);
      if (prompt == null || prompt.isBlank()) {
        throw new ConfigurationException("--prompts " + prompts + ": the row with prompt_id " + promptId + " has an empty prompt");
      }
      String key = pass == 0 ? promptId : promptId + "~" + pass;
      String negative = row.isNullAt(2) ? defaultNegative : row.getString(2);
      rows.add(new SampleRow(i, key, promptId, prompt, negative, seed(row, pass, key, baseSeed, prompts)));
    }
    return rows;
  }

  /** The rows as CSV (RFC 4180 quoting), so any cell's image can be made again from its row. */
  static byte[] csv(List<SampleRow> rows) {
    StringBuilder out = new StringBuilder("index,key,prompt_id,seed,prompt,negative_prompt\n");
    for (SampleRow row : rows) {
      out.append(row.index()).append(',').append(quote(row.key())).append(',').append(quote(row.promptId())).append(',')
          .append(row.seed()).append(',').append(quote(row.prompt())).append(',').append(quote(row.negativePrompt())).append('\n');
    }
    return out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String quote(String text) {
    if (text == null) {
      return ""; // no negative prompt (SDXL then uses zero embeddings), as generate's null column
    }
    return text.matches("(?s).*[\",\r\n].*") ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
  }

  private static long seed(Row row, int pass, String key, long baseSeed, String prompts) {
    String given = row.isNullAt(3) ? null : row.getString(3).trim();
    if (pass > 0 || given == null || given.isEmpty()) {
      return StableIds.seed(baseSeed, key);
    }
    try {
      return Long.parseLong(given);
    } catch (NumberFormatException e) {
      throw new ConfigurationException("--prompts " + prompts + ": the row with prompt_id " + row.getString(0) + " has seed '" + given
          + "', which is not an integer");
    }
  }
}
