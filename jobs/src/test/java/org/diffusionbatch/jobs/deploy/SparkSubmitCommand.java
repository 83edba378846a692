package org.diffusionbatch.jobs.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A spark-submit command line split where Spark's own options end: at the application jar, the
 * first {@code .jar} argument that is not the value of an option. What follows the jar goes to the
 * job's main class.
 */
record SparkSubmitCommand(List<String> sparkOptions, String applicationJar, List<String> jobArguments) {

  static SparkSubmitCommand split(List<String> command) {
    for (int i = 1; i < command.size(); i++) {
      String argument = command.get(i);
      boolean valueOfAnOption = command.get(i - 1).startsWith("--");
      if (argument.endsWith(".jar") && !valueOfAnOption) {
        return new SparkSubmitCommand(command.subList(0, i), argument, command.subList(i + 1, command.size()));
      }
    }
    throw new IllegalArgumentException("no application jar in the spark-submit command " + command);
  }

  /** The value of {@code --name value} in Spark's options, or null. */
  String option(String name) {
    int i = sparkOptions.indexOf(name);
    return i >= 0 && i + 1 < sparkOptions.size() ? sparkOptions.get(i + 1) : null;
  }

  /** The {@code --conf key=value} settings, in order. */
  Map<String, String> conf() {
    Map<String, String> conf = new LinkedHashMap<>();
    for (int i = 0; i + 1 < sparkOptions.size(); i++) {
      if (sparkOptions.get(i).equals("--conf")) {
        String setting = sparkOptions.get(i + 1);
        int eq = setting.indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException("--conf " + setting + " has no '='");
        }
        conf.put(setting.substring(0, eq), setting.substring(eq + 1));
      }
    }
    return conf;
  }
}
