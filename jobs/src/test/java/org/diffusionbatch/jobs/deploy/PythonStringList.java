package org.diffusionbatch.jobs.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a module-level list of string literals, {@code NAME = [ "a", "b", ... ]}, out of Python
 * source: how the Airflow DAG keeps its spark-submit and job arguments, so a test can check them
 * without Airflow.
 */
final class PythonStringList {
  private static final Pattern STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"|'((?:[^'\\\\]|\\\\.)*)'");

  private PythonStringList() {}

  static List<String> read(String source, String name) {
    Matcher start = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\s*=\\s*\\[").matcher(source);
    if (!start.find()) {
      throw new IllegalArgumentException("no list " + name + " = [...] at the start of a line");
    }
    int end = source.indexOf("\n]", start.end());
    if (end < 0) {
      throw new IllegalArgumentException("list " + name + " is not closed by ']' at the start of a line");
    }
    String body = source.substring(start.end(), end);
    List<String> values = new ArrayList<>();
    for (String line : body.split("\n")) {
      String code = line.strip();
      if (code.isEmpty() || code.startsWith("#")) {
        continue;
      }
      Matcher m = STRING.matcher(code);
      int consumed = 0;
      while (m.find()) {
        if (!code.substring(consumed, m.start()).matches("[\\s,]*")) {
          throw new IllegalArgumentException(name + " holds something other than string literals: " + code);
        }
        values.add(m.group(1) != null ? m.group(1) : m.group(2));
        consumed = m.end();
      }
      if (!code.substring(consumed).matches("[\\s,]*(#.*)?")) {
        throw new IllegalArgumentException(name + " holds something other than string literals: " + code);
      }
    }
    return values;
  }
}
