package org.diffusionbatch.jobs.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The build-context files a Dockerfile's COPY and ADD instructions take: what must exist in the
 * repository for {@code docker build -f deploy/docker/Dockerfile .} to work. Copies from another
 * stage ({@code --from=}) are not build-context files and are left out.
 */
final class DockerfileCopies {
  private static final Pattern JSON_STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

  private DockerfileCopies() {}

  static List<String> contextSources(String dockerfile) {
    List<String> sources = new ArrayList<>();
    for (String instruction : instructions(dockerfile)) {
      String[] words = instruction.trim().split("\\s+", 2);
      String keyword = words[0].toUpperCase();
      if (words.length < 2 || !(keyword.equals("COPY") || keyword.equals("ADD"))) {
        continue;
      }
      List<String> arguments = arguments(words[1].trim());
      if (arguments.stream().anyMatch(a -> a.startsWith("--from="))) {
        continue;
      }
      List<String> paths = arguments.stream().filter(a -> !a.startsWith("--")).toList();
      if (paths.size() < 2) {
        throw new IllegalArgumentException("COPY without source and destination: " + instruction);
      }
      sources.addAll(paths.subList(0, paths.size() - 1));
    }
    return sources;
  }

  /** Instructions with line continuations joined and comments dropped. */
  private static List<String> instructions(String dockerfile) {
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : dockerfile.split("\\R")) {
      String trimmed = line.trim();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      instructions.add(current.toString());
      current.setLength(0);
    }
    if (current.length() > 0) {
      instructions.add(current.toString());
    }
    return instructions;
  }

  /** Shell form (words) or exec form (a JSON array of strings). */
  private static List<String> arguments(String rest) {
    List<String> flags = new ArrayList<>();
    while (rest.startsWith("--")) {
      String[] split = rest.split("\\s+", 2);
      flags.add(split[0]);
      rest = split.length > 1 ? split[1].trim() : "";
    }
    List<String> arguments = new ArrayList<>(flags);
    if (rest.startsWith("[")) {
      Matcher m = JSON_STRING.matcher(rest);
      while (m.find()) {
        arguments.add(m.group(1));
      }
    } else {
      arguments.addAll(List.of(rest.split("\\s+")));
    }
    return arguments;
  }
}
