package org.diffusionbatch.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the bundled tiny model lives: the default {@code --model} of every command. */
public final class BundledModel {
  private BundledModel() {}

  /**
   * {@code models/tiny-sd} under the install folder (the launcher sets {@code diffusionbatch.home}),
   * else under the working directory.
   */
  public static Path path() {
    Path home = Path.of(System.getProperty("diffusionbatch.home", "."));
    return home.resolve("models").resolve("tiny-sd").toAbsolutePath().normalize();
  }

  /** The default model URI, checked to exist so the error says what to pass instead. */
  public static String defaultUri() {
    Path path = path();
    if (!Files.isDirectory(path)) {
      throw new IllegalArgumentException(
          "no --model given and the bundled tiny model is not at " + path
              + "; pass --model DIR|s3://bucket/prefix/ (an Optimum ONNX export), or run from the repository root");
    }
    return path.toString();
  }
}
