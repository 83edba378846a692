package org.diffusionbatch.jobs.prompts;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.diffusionbatch.jobs.spark.ConfigurationException;
import org.diffusionbatch.jobs.spark.StorageAccess;

/**
 * {@code --prompts} checked before any work: it exists and can be read, and its format is known —
 * given, or from the file's extension, or from the extensions of the files in the folder, which must
 * all be of one format (Spark would read a .jsonl file in a folder of .txt files as text lines).
 */
public final class PromptSource {
  private PromptSource() {}

  public static PromptFormat resolve(StorageAccess access, String uri, PromptFormat given) {
    PromptFormat format = resolveFormat(access, uri, given);
    if (format == PromptFormat.PARQUET) {
      requireParquet(access, uri);
    }
    return format;
  }

  private static PromptFormat resolveFormat(StorageAccess access, String uri, PromptFormat given) {
    if (isGlob(uri)) {
      return fromNames(uri, given, globbedFiles(access, uri));
    }
    FileStatus status = access.requireReadable("--prompts", uri);
    if (status.isFile()) {
      if (given != null) {
        return given;
      }
      PromptFormat format = PromptFormat.fromName(status.getPath().getName());
      if (format == null) {
        throw new ConfigurationException("--prompts " + uri + ": cannot tell the format of a file named '" + status.getPath().getName()
            + "' (known extensions: .txt, .jsonl, .json, .csv, .parquet); give --prompts-format text|jsonl|csv|parquet");
      }
      return format;
    }
    return fromNames(uri, given, dataFiles(access, uri));
  }

  /** The one format the files' names say (or the given one, if no name says another). */
  private static PromptFormat fromNames(String uri, PromptFormat given, List<String> files) {
    Map<PromptFormat, List<String>> byFormat = new TreeMap<>();
    List<String> unknown = new ArrayList<>();
    for (String name : files) {
      PromptFormat format = PromptFormat.fromName(name);
      if (format == null) {
        unknown.add(name);
      } else {
        byFormat.computeIfAbsent(format, f -> new ArrayList<>()).add(name);
      }
    }
    if (byFormat.isEmpty() && unknown.isEmpty()) {
      throw new ConfigurationException("--prompts " + uri + " is a folder with no data files (names starting with '_' or '.' are"
          + " skipped, as Spark does); check the path");
    }
    if (byFormat.size() > 1 || (given != null && !byFormat.isEmpty() && !byFormat.containsKey(given))) {
      List<String> kinds = new ArrayList<>();
      byFormat.forEach((format, names) -> kinds.add(names.size() + " " + format.name().toLowerCase(Locale.ROOT) + " (e.g. " + names.get(0) + ")"));
      throw new ConfigurationException("--prompts " + uri + " mixes formats" + (given == null ? "" : " (--prompts-format "
          + given.name().toLowerCase(Locale.ROOT) + ")") + ": " + String.join(", ", kinds)
          + "; put one format in a folder, or point --prompts at one file");
    }
    if (given != null) {
      return given;
    }
    if (!unknown.isEmpty()) {
      throw new ConfigurationException("--prompts " + uri + ": cannot tell the format of " + unknown.size() + " file(s) from their names"
          + " (e.g. '" + unknown.get(0) + "'); give --prompts-format text|jsonl|csv|parquet");
    }
    return byFormat.keySet().iterator().next();
  }

  /**
   * The first data file has a Parquet footer: checked here, on the driver, because Spark reads
   * footers in a job whose failure fills the log with stack traces before saying anything useful.
   */
  private static void requireParquet(StorageAccess access, String uri) {
    FileSystem fs = access.fileSystem("--prompts", uri);
    Path first = null;
    try {
      if (isGlob(uri)) {
        FileStatus[] matched = fs.globStatus(new Path(uri));
        first = matched.length == 0 ? null : firstFile(fs, matched[0]);
      } else {
        first = firstFile(fs, fs.getFileStatus(new Path(uri)));
      }
      if (first == null) {
        return;
      }
      try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(first, access.hadoop()))) {
        reader.getFooter();
      }
    } catch (IOException | RuntimeException e) {
      throw new ConfigurationException("--prompts " + uri + ": " + (first == null ? "" : first.getName() + " ")
          + "cannot be read as parquet: " + StorageAccess.firstLine(e) + " (check the file, or set --prompts-format)", e);
    }
  }

  /** The file itself, or the first data file below a folder (names starting with '_' or '.' skipped). */
  private static Path firstFile(FileSystem fs, FileStatus status) throws IOException {
    if (status.isFile()) {
      return status.getPath();
    }
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(status.getPath(), true);
    while (files.hasNext()) {
      Path path = files.next().getPath();
      if (!path.getName().startsWith("_") && !path.getName().startsWith(".")) {
        return path;
      }
    }
    return null;
  }

  /** A path with a glob pattern, which Spark expands when it reads. */
  static boolean isGlob(String uri) {
    return uri.matches(".*[*?\\[{].*");
  }

  /** The names of the files a glob matches (for a matched folder, the files in it). */
  private static List<String> globbedFiles(StorageAccess access, String uri) {
    FileSystem fs = access.fileSystem("--prompts", uri);
    List<String> names = new ArrayList<>();
    try {
      FileStatus[] matched = fs.globStatus(new Path(uri));
      if (matched == null || matched.length == 0) {
        throw new ConfigurationException("--prompts " + uri + " matches no files; check the pattern");
      }
      for (FileStatus status : matched) {
        if (status.isFile()) {
          names.add(status.getPath().getName());
        } else {
          names.addAll(dataFiles(access, status.getPath().toString()));
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ConfigurationException c) {
        throw c;
      }
      throw StorageAccess.explain("--prompts", uri, "list", e);
    }
    return names;
  }

  /** The names (relative to the folder) of the files Spark would read: every file below it, none under a '_' or '.' name. */
  private static List<String> dataFiles(StorageAccess access, String uri) {
    Path root = new Path(uri);
    FileSystem fs = access.fileSystem("--prompts", uri);
    List<String> names = new ArrayList<>();
    try {
      String rootPath = fs.makeQualified(root).toUri().getPath().replaceAll("/+$", "");
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
      while (files.hasNext()) {
        String path = files.next().getPath().toUri().getPath();
        String relative = path.startsWith(rootPath + "/") ? path.substring(rootPath.length() + 1) : path;
        boolean hidden = false;
        for (String part : relative.split("/")) {
          hidden |= part.startsWith("_") && !part.contains("=") || part.startsWith(".");
        }
        if (!hidden) {
          names.add(relative);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw StorageAccess.explain("--prompts", uri, "list", e);
    }
    return names;
  }
}
