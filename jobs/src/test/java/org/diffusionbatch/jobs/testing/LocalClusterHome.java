package org.diffusionbatch.jobs.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A SPARK_HOME for {@code local-cluster[...]} masters, whose workers start executor JVMs with
 * {@code $SPARK_HOME/jars/*} as their classpath: this JVM's classpath, jars linked and class
 * folders (core, jobs, tests) packed as jars. Spark's Worker takes its home from the
 * {@code spark.test.home} system property when {@code spark.testing} is set, which
 * {@link #activate()} does for the duration of a test.
 */
public final class LocalClusterHome implements AutoCloseable {
  private final Path home;

  private LocalClusterHome(Path home) {
    this.home = home;
  }

  /** Builds a home in a fresh temporary folder, removed again by {@link #close()}. */
  public static LocalClusterHome build() throws IOException {
    Path dir = Files.createTempDirectory("diffusionbatch-spark-home");
    Path jars = Files.createDirectories(dir.resolve("jars"));
    int index = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      index++;
      if (Files.isDirectory(path)) {
        packDirectory(path, jars.resolve(String.format("%03d-classes.jar", index)));
      } else if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
        Files.createSymbolicLink(jars.resolve(String.format("%03d-%s", index, path.getFileName())), path.toAbsolutePath());
      }
    }
    return new LocalClusterHome(dir);
  }

  public Path home() {
    return home;
  }

  /** Points Spark's in-process Worker at this home until {@link #close()}. */
  public LocalClusterHome activate() {
    System.setProperty("spark.testing", "true");
    System.setProperty("spark.test.home", home.toString());
    return this;
  }

  /** Spark conf for executors started from this home. */
  public static List<String> executorConf() {
    List<String> conf = new ArrayList<>();
    for (String setting : List.of(
        "spark.executorEnv.SPARK_SCALA_VERSION=2.13",
        "spark.executorEnv.DJL_OFFLINE=true",
        "spark.executorEnv.OPT_OUT_TRACKING=true",
        "spark.executor.extraJavaOptions=-Dai.djl.offline=true")) {
      conf.add("--conf");
      conf.add(setting);
    }
    return conf;
  }

  @Override
  public void close() throws IOException {
    System.clearProperty("spark.testing");
    System.clearProperty("spark.test.home");
    // Delete links, not what they point to.
    try (Stream<Path> walk = Files.walk(home)) {
      for (Path path : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(path);
      }
    }
  }

  private static void packDirectory(Path dir, Path jar) throws IOException {
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file);
        Stream<Path> walk = Files.walk(dir)) {
      for (Path path : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        out.putNextEntry(new JarEntry(dir.relativize(path).toString().replace('\\', '/')));
        Files.copy(path, out);
        out.closeEntry();
      }
    }
  }
}
