package org.diffusionbatch.jobs.generate.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.diffusionbatch.jobs.generate.executor.GenerateMetrics;
import org.diffusionbatch.jobs.spark.SerializableHadoopConf;
import org.diffusionbatch.jobs.spark.StorageUris;

/**
 * Where tasks put the rows they could not make, so that the driver never holds them: each task
 * attempt streams its failed rows as JSON lines to {@code <errors>/_staging/<run_id>/task-<attempt>.jsonl}
 * and reports only the file and its row count (see {@link GenerateMetrics#stagedErrors}, which keeps
 * the report of the one attempt per partition whose output Spark committed). After each commit the
 * driver has Spark copy those files into the errors dataset and deletes the staging folder.
 */
public final class ErrorStaging implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One task attempt's staged file and how many rows it holds. */
  public record Staged(String file, long rows) implements Serializable {}

  private final String directory;
  private final Broadcast<SerializableHadoopConf> hadoop;

  public ErrorStaging(String errorsOutput, String runId, Broadcast<SerializableHadoopConf> hadoop) {
    this.directory = directory(errorsOutput, runId);
    this.hadoop = hadoop;
  }

  static String directory(String errorsOutput, String runId) {
    return StorageUris.child(StorageUris.child(errorsOutput, OutputContents.STAGING), runId);
  }

  /** A writer for this task attempt; it opens its file on the first failed row. */
  public Writer writer(TaskContext task) {
    String name = "task-" + (task == null ? "driver-" + System.nanoTime() : Long.toString(task.taskAttemptId())) + ".jsonl";
    return new Writer(StorageUris.child(directory, name));
  }

  public final class Writer implements AutoCloseable {
    private final String file;
    private OutputStream out;
    private long rows;

    private Writer(String file) {
      this.file = file;
    }

    public void write(ErrorRecord error) {
      try {
        if (out == null) {
          Path path = new Path(file);
          FileSystem fs = path.getFileSystem(hadoop.value().get());
          out = fs.create(path, true);
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("prompt_id", error.promptId());
        line.put("input", error.inputJson());
        line.put("stage", error.stage());
        line.put("reason", error.reason());
        line.put("run_id", error.runId());
        line.put("created_at_ms", error.createdAtMillis());
        out.write(JSON.writeValueAsBytes(line));
        out.write('\n');
        rows++;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot stage a failed row in " + file + ": " + e.getMessage(), e);
      }
    }

    /** Closes the file; what was staged, or null when no row failed. */
    public Staged finish() {
      close();
      return rows == 0 ? null : new Staged(file, rows);
    }

    @Override
    public void close() {
      if (out == null) {
        return;
      }
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot finish the staged failed rows " + file + ": " + e.getMessage(), e);
      } finally {
        out = null;
      }
    }
  }
}
