package org.diffusionbatch.jobs.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** The versions a run manifest records: this build's, Spark's, the JVM's, DJL's and ONNX Runtime's. */
public final class Versions {
  private Versions() {}

  public static Map<String, String> of(SparkSession spark) {
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("diffusion_batch", versionOf(Versions.class));
    versions.put("spark", spark.version());
    versions.put("scala", scala.util.Properties.versionNumberString());
    versions.put("java", System.getProperty("java.version"));
    versions.put("hadoop", org.apache.hadoop.util.VersionInfo.getVersion());
    versions.put("djl", String.valueOf(ai.djl.Model.class.getPackage().getSpecificationVersion()));
    // The CUDA build (onnxruntime_gpu) has the same classes: its version shows which one ran.
    versions.put("onnxruntime", versionOf(ai.onnxruntime.OrtSession.class));
    return versions;
  }

  static String versionOf(Class<?> type) {
    String version = type.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
