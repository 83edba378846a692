package org.diffusionbatch.jobs.generate.output;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.diffusionbatch.jobs.spark.ConfigurationException;
import org.diffusionbatch.jobs.spark.StorageAccess;
import org.diffusionbatch.jobs.spark.StorageUris;

/**
 * What is at {@code --output} (or the errors dataset) before a run writes there: nothing, a dataset
 * this job wrote, or something else. {@code --overwrite} deletes only a dataset this job wrote: every
 * entry is one the job makes (Parquet part files, {@code _runs/}, {@code _SUCCESS}, Spark's and S3A's
 * temporary folders, checksum files) and there is evidence it is ours — a run manifest, or a part
 * file with the job's schema.
 */
public final class OutputContents {

  public enum Kind {
    IMAGES(Set.of("prompt_id", "image", "image_sha256", "model_digest", "run_id"), "images dataset"),
    ERRORS(Set.of("prompt_id", "stage", "reason", "run_id"), "errors dataset");

    final Set<String> columns;
    final String label;

    Kind(Set<String> columns, String label) {
      this.columns = columns;
      this.label = label;
    }
  }

  static final String RUNS = "_runs";
  static final String STAGING = "_staging";
  private static final Pattern JOB_ENTRY = Pattern.compile(
      "part-.*|_SUCCESS|_temporary|__magic.*|_write-check-.*|\\..*\\.crc|\\._lease\\.json\\..*\\.tmp");

  private final String option;
  private final String uri;
  private final Kind kind;
  private final FileSystem fs;
  private final FileStatus status;
  private final List<FileStatus> entries;

  private OutputContents(String option, String uri, Kind kind, FileSystem fs, FileStatus status, List<FileStatus> entries) {
    this.option = option;
    this.uri = uri;
    this.kind = kind;
    this.fs = fs;
    this.status = status;
    this.entries = entries;
  }

  /** Lists the location; this run's own lease file does not count as content. */
  public static OutputContents inspect(StorageAccess access, String option, String uri, Kind kind) {
    FileSystem fs = access.fileSystem(option, uri);
    FileStatus status = access.status(option, uri);
    List<FileStatus> entries = new ArrayList<>();
    if (status != null && status.isDirectory()) {
      try {
        for (FileStatus entry : fs.listStatus(new Path(uri))) {
          if (!entry.getPath().getName().equals(OutputLease.FILE_NAME)) {
            entries.add(entry);
          }
        }
      } catch (IOException | RuntimeException e) {
        throw StorageAccess.explain(option, uri, "list", e);
      }
    }
    return new OutputContents(option, uri, kind, fs, status, entries);
  }

  /** Something other than this run's lease is there. */
  public boolean exists() {
    return status != null && (status.isFile() || !entries.isEmpty());
  }

  public boolean isFile() {
    return status != null && status.isFile();
  }

  /** Parquet data files are there (a reader would find rows or at least a schema). */
  public boolean hasData() {
    return entries.stream().anyMatch(e -> e.isFile() && e.getPath().getName().startsWith("part-"));
  }

  /** Run manifests under {@code _runs/}. */
  public List<Path> manifests() {
    List<Path> manifests = new ArrayList<>();
    if (entries.stream().noneMatch(e -> e.isDirectory() && e.getPath().getName().equals(RUNS))) {
      return manifests;
    }
    try {
      for (FileStatus file : fs.listStatus(new Path(StorageUris.child(uri, RUNS)))) {
        if (file.isFile() && file.getPath().getName().endsWith(".json")) {
          manifests.add(file.getPath());
        }
      }
    } catch (IOException | RuntimeException e) {
      throw StorageAccess.explain(option, uri, "list the run manifests of", e);
    }
    return manifests;
  }

  /**
   * Refuses (exit 2, naming what was found) unless what is there is a dataset this job wrote, which
   * {@code --overwrite} may then delete.
   */
  public void requireDeletableByOverwrite() {
    if (!exists()) {
      return;
    }
    if (isFile()) {
      throw refuse("is a file, not a dataset");
    }
    List<String> foreign = new ArrayList<>();
    for (FileStatus entry : entries) {
      String name = entry.getPath().getName();
      boolean ours = JOB_ENTRY.matcher(name).matches() && (entry.isFile() || !name.startsWith("part-"))
          || entry.isDirectory() && (kind == Kind.IMAGES ? name.equals(RUNS) : name.equals(STAGING));
      if (!ours) {
        foreign.add(name + (entry.isDirectory() ? "/" : ""));
      }
    }
    if (!foreign.isEmpty()) {
      throw refuse("holds " + foreign.size() + " entr" + (foreign.size() == 1 ? "y" : "ies") + " this job does not write ("
          + String.join(", ", foreign.subList(0, Math.min(3, foreign.size()))) + (foreign.size() > 3 ? ", ..." : "") + ")");
    }
    if (!(kind == Kind.IMAGES && !manifests().isEmpty()) && !(kind == Kind.ERRORS && hasStaging()) && !hasOurSchema()) {
      throw refuse("has neither a run manifest (" + RUNS + "/*.json) nor Parquet files with the job's " + kind.label + " columns");
    }
  }

  /** Deletes what is there for {@code --overwrite}: the errors dataset whole, the images dataset all but this run's lease. */
  public void deleteForOverwrite() {
    try {
      if (kind == Kind.ERRORS && exists()) {
        fs.delete(new Path(uri), true);
        return;
      }
      for (FileStatus entry : entries) {
        if (fs.exists(entry.getPath()) && !fs.delete(entry.getPath(), true)) {
          throw new IOException("could not delete " + entry.getPath());
        }
      }
    } catch (IOException | RuntimeException e) {
      throw StorageAccess.explain(option, uri, "delete (for --overwrite)", e);
    }
  }

  private boolean hasStaging() {
    return entries.stream().anyMatch(e -> e.isDirectory() && e.getPath().getName().equals(STAGING));
  }

  private boolean hasOurSchema() {
    for (FileStatus entry : entries) {
      if (entry.isFile() && entry.getPath().getName().startsWith("part-") && entry.getPath().getName().endsWith(".parquet")) {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromStatus(entry, fs.getConf()))) {
          MessageType schema = reader.getFooter().getFileMetaData().getSchema();
          return kind.columns.stream().allMatch(schema::containsField);
        } catch (IOException | RuntimeException notParquet) {
          return false;
        }
      }
    }
    return false;
  }

  private ConfigurationException refuse(String found) {
    return new ConfigurationException("--overwrite refused: " + option + " " + uri + " " + found + "; --overwrite deletes only an "
        + kind.label + " written by generate. Move or delete it yourself, or choose another " + option);
  }
}
