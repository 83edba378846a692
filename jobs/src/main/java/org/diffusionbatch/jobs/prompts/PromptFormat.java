package org.diffusionbatch.jobs.prompts;

import java.util.Locale;

/** The four prompt-table formats the job reads, and the guess from a URI's extension. */
public enum PromptFormat {
  TEXT,
  JSONL,
  CSV,
  PARQUET;

  /** Parses {@code --prompts-format}; null when the option was not given. */
  public static PromptFormat parse(String name) {
    if (name == null) {
      return null;
    }
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--prompts-format " + name + " is not a known format; use text, jsonl, csv or parquet");
    }
  }

  /**
   * Guesses from the path's extension: .txt text, .jsonl/.json JSON Lines, .csv CSV, .parquet
   * Parquet. Compressed files (.gz, .bz2, ...) are judged by the name before the compression suffix,
   * as Spark decompresses them. Null when the name has no extension (a folder, or a file whose
   * format {@link PromptSource} decides from what is there).
   *
   * @throws IllegalArgumentException for an extension that is none of these
   */
  public static PromptFormat guess(String uri) {
    String name = uri.replaceAll("/+$", "");
    name = name.substring(name.lastIndexOf('/') + 1);
    PromptFormat format = fromName(name);
    if (format == null && extension(name) != null) {
      throw new IllegalArgumentException(
          "--prompts " + uri + ": cannot tell the format from the name; give --prompts-format text|jsonl|csv|parquet");
    }
    return format;
  }

  /** The format a file name's extension says, or null when it has none or one of no format. */
  public static PromptFormat fromName(String fileName) {
    String extension = extension(fileName);
    if (extension == null) {
      return null;
    }
    return switch (extension) {
      case "jsonl", "json", "ndjson" -> JSONL;
      case "csv" -> CSV;
      case "parquet" -> PARQUET;
      case "txt", "text", "prompts" -> TEXT;
      default -> null;
    };
  }

  /** The lower-case extension before any compression suffix, or null. */
  private static String extension(String fileName) {
    String name = fileName.toLowerCase(Locale.ROOT).replaceAll("\\.(gz|bz2|zst|snappy|lz4|deflate)$", "");
    int dot = name.lastIndexOf('.');
    return dot <= 0 || dot == name.length() - 1 ? null : name.substring(dot + 1);
  }
}
