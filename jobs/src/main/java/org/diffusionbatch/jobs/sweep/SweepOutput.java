package org.diffusionbatch.jobs.sweep;

import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.diffusionbatch.jobs.spark.S3Endpoint;
import org.diffusionbatch.jobs.spark.StorageAccess;
import org.diffusionbatch.jobs.spark.StorageUris;

/**
 * The sweep's folder:
 *
 * <pre>
 * sweep.json                    the plan: cells, sample rows' digest, scoring (what --resume checks)
 * samples.csv                   the rows every cell makes: index, key, prompt_id, seed, prompt, negative_prompt
 * cells/&lt;cell_id&gt;/stats.npz       the cell's feature statistics (mu, sigma), pytorch-fid format
 * cells/&lt;cell_id&gt;/group-&lt;g&gt;.npz   each error group's statistics
 * cells/&lt;cell_id&gt;/metrics.json     the cell's metrics row, written last: the cell is done
 * images/cell_id=&lt;cell_id&gt;/       kept images, generate's row format
 * metrics/ metrics.csv summary.md  the metrics table (Parquet, CSV, Markdown)
 * model_comparison.csv          with several models: each against the first (ΔFID, paired error, ΔCLIP)
 * report/index.html, *.png, sheets/&lt;cell_id&gt;.png
 * _runs/&lt;run_id&gt;.json            run manifest
 * </pre>
 */
final class SweepOutput {
  static final String PLAN = "sweep.json";
  static final String SAMPLES = "samples.csv";

  final String root;
  private final S3Endpoint s3;
  private final Configuration hadoop;

  SweepOutput(String root, S3Endpoint s3, Configuration hadoop) {
    this.root = root.replaceAll("/+$", "");
    this.s3 = s3;
    this.hadoop = hadoop;
  }

  String at(String relative) {
    return StorageUris.child(root, relative);
  }

  String keptImages(String cellId) {
    return at("images/cell_id=" + cellId);
  }

  /** Writes a small file whole (one PUT on S3; local files without Hadoop's .crc side files, which users would see in report/); returns where. */
  String write(String relative, byte[] bytes) throws IOException {
    String location = at(relative);
    if (location.startsWith("file:")) {
      java.nio.file.Path path = java.nio.file.Path.of(java.net.URI.create(location));
      java.nio.file.Files.createDirectories(path.getParent());
      java.nio.file.Path partial = path.resolveSibling("." + path.getFileName() + ".partial");
      java.nio.file.Files.write(partial, bytes);
      java.nio.file.Files.move(partial, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return location;
    }
    return StorageAccess.writeWhole(location, bytes, s3, hadoop);
  }

  boolean exists(String relative) throws IOException {
    Path path = new Path(at(relative));
    return path.getFileSystem(hadoop).exists(path);
  }

  /** True when the root is missing or an empty folder. */
  boolean rootEmpty() throws IOException {
    Path path = new Path(root);
    FileSystem fs = path.getFileSystem(hadoop);
    return !fs.exists(path) || (fs.getFileStatus(path).isDirectory() && fs.listStatus(path).length == 0);
  }

  byte[] read(String relative) throws IOException {
    Path path = new Path(at(relative));
    try (InputStream in = path.getFileSystem(hadoop).open(path)) {
      return in.readAllBytes();
    }
  }

  void deleteRoot() throws IOException {
    Path path = new Path(root);
    FileSystem fs = path.getFileSystem(hadoop);
    if (fs.exists(path) && !fs.delete(path, true)) {
      throw new IOException("could not delete " + root + " for --overwrite");
    }
  }
}
