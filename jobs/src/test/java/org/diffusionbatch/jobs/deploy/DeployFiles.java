package org.diffusionbatch.jobs.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The files under {@code deploy/}, read the way their consumers read them. */
final class DeployFiles {
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private DeployFiles() {}

  /** The repository root: surefire runs tests there and also passes it as {@code repo.root}. */
  static Path repoRoot() {
    String root = System.getProperty("repo.root");
    Path path = Path.of(root != null ? root : "").toAbsolutePath().normalize();
    if (!Files.isDirectory(path.resolve("deploy"))) {
      throw new IllegalStateException("no deploy/ under " + path + ": run the tests from the repository root");
    }
    return path;
  }

  static Path deploy(String relative) {
    return repoRoot().resolve("deploy").resolve(relative);
  }

  /** Every YAML and JSON file under deploy/. */
  static List<Path> configFiles() {
    try (Stream<Path> files = Files.walk(repoRoot().resolve("deploy"))) {
      return files.filter(Files::isRegularFile)
          .filter(p -> p.toString().matches(".*\\.(ya?ml|json)$"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** All documents of a YAML file ({@code ---} separated), as kubectl applies them. */
  static List<JsonNode> yamlDocuments(String text) throws IOException {
    try (var documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(text)) {
      return documents.readAll().stream().filter(d -> d != null && !d.isNull() && !d.isMissingNode()).toList();
    }
  }

  static JsonNode json(String text) throws IOException {
    return JSON.readTree(text);
  }

  /** Parses a file under deploy/ by its extension; throws naming the file when it does not parse. */
  static List<JsonNode> parse(Path file) {
    try {
      String text = Files.readString(file);
      return file.toString().endsWith(".json") ? List.of(json(text)) : yamlDocuments(text);
    } catch (IOException e) {
      throw new AssertionError(file + " does not parse: " + e.getMessage(), e);
    }
  }

  /** The one document of a YAML file. */
  static JsonNode yaml(String relative) {
    List<JsonNode> documents = parse(deploy(relative));
    if (documents.size() != 1) {
      throw new AssertionError("deploy/" + relative + " should hold one YAML document, holds " + documents.size());
    }
    return documents.get(0);
  }

  /** A JSON file under deploy/. */
  static JsonNode jsonFile(String relative) {
    return parse(deploy(relative)).get(0);
  }

  static String text(String relative) {
    try {
      return Files.readString(deploy(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
