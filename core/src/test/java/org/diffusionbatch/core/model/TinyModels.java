package org.diffusionbatch.core.model;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The tiny test exports in models/, found from the repository root. */
public final class TinyModels {
  private TinyModels() {}

  static Path root() {
    return Path.of(System.getProperty("repo.root", ".")).toAbsolutePath().normalize();
  }

  public static Path path(String name) {
    return root().resolve("models").resolve(name);
  }

  /** One intra-op thread: the test machine is shared, and tiny graphs gain nothing from more. */
  static ModelOptions options(String name) {
    return ModelOptions.local(path(name)).withThreads(1, 1);
  }

  /** A copy of the bundled model {@code name} in {@code dir}, to break or change without touching models/. */
  public static Path copy(String name, Path dir) throws IOException {
    return copyTree(path(name), dir.resolve(name));
  }

  /** Copies a folder with everything below it, following symbolic links (a case folder may link its models). */
  public static Path copyTree(Path source, Path target) throws IOException {
    try (Stream<Path> files = Files.walk(source, FileVisitOption.FOLLOW_LINKS)) {
      for (Path p : files.toList()) {
        Path to = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    return target;
  }
}
