package org.diffusionbatch.jobs.generate;

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
   * Guesses from the path's extension: .txt text, .jsonl/.json JSON Lines, .csv CSV, .parquet or
   * a directory (no extension) Parquet. Compressed files (.gz, .bz2, ...) are judged by the name
   * before the compression suffix, as Spark decompresses them.
   */
  public static PromptFormat guess(String uri) {
    String name = uri.replaceAll("/+$", "");
    name = name.substring(name.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    name = name.replaceAll("\\.(gz|bz2|zst|snappy|lz4|deflate)$", "");
    if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson")) {
      return JSONL;
    }
    if (name.endsWith(".csv")) {
      return CSV;
    }
    if (name.endsWith(".parquet") || !name.contains(".")) {
      return PARQUET;
    }
    if (name.endsWith(".txt") || name.endsWith(".text") || name.endsWith(".prompts")) {
      return TEXT;
    }
    throw new IllegalArgumentException(
        "--prompts " + uri + ": cannot tell the format from the name; give --prompts-format text|jsonl|csv|parquet");
  }
}
