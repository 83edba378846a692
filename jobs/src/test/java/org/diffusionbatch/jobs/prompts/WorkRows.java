package org.diffusionbatch.jobs.prompts;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Rows of the prompt table as the executors get them ({@link WorkColumns}), for tests that feed the executor side directly. */
public final class WorkRows {
  public static final StructType SCHEMA = schema();

  private WorkRows() {}

  private static StructType schema() {
    StructType s = new StructType();
    for (String c : List.of(WorkColumns.PROMPT_ID, WorkColumns.PROMPT, WorkColumns.NEGATIVE_PROMPT, WorkColumns.SEED,
        WorkColumns.STEPS, WorkColumns.GUIDANCE_SCALE, WorkColumns.SAMPLER, WorkColumns.WIDTH, WorkColumns.HEIGHT,
        WorkColumns.INPUT_JSON, WorkColumns.MALFORMED, WorkColumns.SOURCE_FILE)) {
      s = s.add(c, DataTypes.StringType);
    }
    return s.add(WorkColumns.SOURCE_POSITION, DataTypes.LongType);
  }

  /** A row with this id and prompt, optional steps and sampler (null: the run's), everything else unset. */
  public static Row row(String id, String prompt, String steps, String sampler) {
    return new GenericRowWithSchema(new Object[] {id, prompt, null, null, steps, null, sampler, null, null, "{}", null, "prompts.jsonl", 0L},
        SCHEMA);
  }
}
