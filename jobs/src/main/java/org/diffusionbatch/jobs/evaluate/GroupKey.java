package org.diffusionbatch.jobs.evaluate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;

/** The values of the --group-by columns of one group (empty when there is no grouping); null values allowed. */
record GroupKey(List<Object> values) implements Serializable {
  static final GroupKey ALL = new GroupKey(List.of());

  /** The group of a row whose group columns start at {@code first}. */
  static GroupKey of(Row row, int first, int count) {
    if (count == 0) {
      return ALL;
    }
    Object[] values = new Object[count];
    for (int i = 0; i < count; i++) {
      values[i] = row.get(first + i);
    }
    return new GroupKey(new ArrayList<>(Arrays.asList(values)));
  }

  /** e.g. {@code sampler=ddim steps=10}, or {@code all images} without grouping. */
  String describe(List<String> columns) {
    if (values.isEmpty()) {
      return "all images";
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < values.size(); i++) {
      out.append(i == 0 ? "" : " ").append(columns.get(i)).append('=').append(values.get(i));
    }
    return out.toString();
  }

  /** A file name for the group's statistics: {@code sampler=ddim_steps=10}, {@code all} without grouping. */
  String fileName(List<String> columns) {
    if (values.isEmpty()) {
      return "all";
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < values.size(); i++) {
      out.append(i == 0 ? "" : "_").append(columns.get(i)).append('=').append(values.get(i));
    }
    return out.toString().replaceAll("[^A-Za-z0-9=._+-]", "-");
  }
}
