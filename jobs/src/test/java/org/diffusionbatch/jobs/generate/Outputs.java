package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

/** Reads a run's output with plain Parquet (no SparkSession), as a consumer of the dataset would. */
final class Outputs {
  private Outputs() {}

  /** The prompt_ids of a local output dataset, failing if any occurs twice. */
  static Set<String> promptIdsExactlyOnce(Path output) throws Exception {
    List<Group> rows = rows(output);
    Set<String> ids = new HashSet<>();
    for (Group row : rows) {
      ids.add(row.getString("prompt_id", 0));
    }
    assertEquals(rows.size(), ids.size(), "each prompt_id once in " + output);
    return ids;
  }

  static List<Group> rows(Path output) throws Exception {
    List<Group> rows = new java.util.ArrayList<>();
    try (var files = java.nio.file.Files.list(output)) {
      for (Path file : (Iterable<Path>) files.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted()::iterator) {
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(),
            new org.apache.hadoop.fs.Path(file.toUri())).build()) {
          for (Group row = reader.read(); row != null; row = reader.read()) {
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }
}
