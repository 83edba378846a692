package org.diffusionbatch.core.model;

import java.nio.file.Path;

/** The tiny test exports in models/ (branch "models"), found from the repository root. */
final class TinyModels {
  private TinyModels() {}

  static Path root() {
    return Path.of(System.getProperty("repo.root", ".")).toAbsolutePath().normalize();
  }

  static Path path(String name) {
    return root().resolve("models").resolve(name);
  }

  /** One intra-op thread: the test machine is shared, and tiny graphs gain nothing from more. */
  static ModelOptions options(String name) {
    return ModelOptions.local(path(name)).withThreads(1, 1);
  }
}
