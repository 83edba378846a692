package org.diffusionbatch.jobs.sweep;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

/** Reads a folder of Parquet files with plain Parquet (no Spark), as a consumer of the output would. */
final class Parquet {
  private Parquet() {}

  static List<Group> rows(Path folder) throws Exception {
    List<Group> rows = new ArrayList<>();
    try (var files = Files.list(folder)) {
      for (Path file : (Iterable<Path>) files.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted()::iterator) {
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), new org.apache.hadoop.fs.Path(file.toUri())).build()) {
          for (Group row = reader.read(); row != null; row = reader.read()) {
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }
}
