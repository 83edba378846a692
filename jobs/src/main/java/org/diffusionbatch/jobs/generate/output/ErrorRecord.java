package org.diffusionbatch.jobs.generate.output;

import java.io.Serializable;
import java.sql.Timestamp;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A row that was not made, for the errors dataset: its id, the input row as JSON, the stage that
 * failed ({@code input}, {@code settings}, {@code text}, {@code denoise}, {@code decode},
 * {@code png}) and why.
 */
public record ErrorRecord(String promptId, String inputJson, String stage, String reason, String runId, long createdAtMillis)
    implements Serializable {

  public static final StructType SCHEMA = new StructType()
      .add("prompt_id", DataTypes.StringType)
      .add("input", DataTypes.StringType)
      .add("stage", DataTypes.StringType, false)
      .add("reason", DataTypes.StringType, false)
      .add("run_id", DataTypes.StringType, false)
      .add("created_at", DataTypes.TimestampType, false);

  public static ErrorRecord of(String promptId, String inputJson, String stage, String reason, String runId) {
    return new ErrorRecord(promptId, inputJson, stage, reason == null ? "(no message)" : reason, runId, System.currentTimeMillis());
  }

  Row toRow() {
    return RowFactory.create(promptId, inputJson, stage, reason, runId, new Timestamp(createdAtMillis));
  }
}
