package org.diffusionbatch.jobs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes's SparkApplication and ScheduledSparkApplication against the spark-operator's
 * own CRD schemas (vendored in deploy/kubernetes/crds/, see the README there), as the API server
 * checks them on {@code kubectl apply}; and the check itself shown to catch a wrong type, an
 * unknown field and a missing required field.
 */
class KubernetesCrdSchemaTest {
  private static final String VERSION = "v1beta2";
  private static final CrdSchema SPARK_APPLICATION =
      CrdSchema.load(DeployFiles.deploy("kubernetes/crds/sparkoperator.k8s.io_sparkapplications.yaml"), VERSION);
  private static final CrdSchema SCHEDULED =
      CrdSchema.load(DeployFiles.deploy("kubernetes/crds/sparkoperator.k8s.io_scheduledsparkapplications.yaml"), VERSION);

  private static ObjectNode sparkApplication() {
    return (ObjectNode) DeployFiles.yaml("kubernetes/generate-sparkapplication.yaml").deepCopy();
  }

  @Test
  void sparkApplicationMatchesTheOperatorsCrdSchema() {
    assertEquals(List.of(), SPARK_APPLICATION.problems(sparkApplication()));
  }

  @Test
  void nightlyScheduledSparkApplicationMatchesTheOperatorsCrdSchema() {
    JsonNode nightly = DeployFiles.yaml("kubernetes/generate-nightly-scheduledsparkapplication.yaml");
    assertEquals(List.of(), SCHEDULED.problems(nightly));
  }

  @Test
  void aFieldOfTheWrongTypeIsRejected() {
    ObjectNode app = sparkApplication();
    ((ObjectNode) app.path("spec").path("executor")).put("instances", "two");
    List<String> problems = SPARK_APPLICATION.problems(app);
    assertTrue(problems.size() == 1 && problems.get(0).startsWith("/spec/executor/instances: "), problems.toString());
  }

  @Test
  void anUnknownFieldIsRejected() {
    ObjectNode app = sparkApplication();
    // A plausible slip: "gpus" for "gpu"; the operator would drop it and run without GPUs.
    ((ObjectNode) app.path("spec").path("executor")).putObject("gpus").put("name", "nvidia.com/gpu").put("quantity", 1);
    List<String> problems = SPARK_APPLICATION.problems(app);
    assertTrue(problems.size() == 1 && problems.get(0).startsWith("/spec/executor: ") && problems.get(0).contains("gpus"),
        problems.toString());
  }

  @Test
  void aMissingRequiredFieldIsRejected() {
    ObjectNode app = sparkApplication();
    ((ObjectNode) app.path("spec")).remove("sparkVersion");
    List<String> problems = SPARK_APPLICATION.problems(app);
    assertTrue(problems.size() == 1 && problems.get(0).startsWith("/spec: ") && problems.get(0).contains("sparkVersion"),
        problems.toString());
  }

  @Test
  void aScheduledApplicationsTemplateIsCheckedToo() {
    ObjectNode nightly = (ObjectNode) DeployFiles.yaml("kubernetes/generate-nightly-scheduledsparkapplication.yaml").deepCopy();
    ((ObjectNode) nightly.path("spec").path("template").path("restartPolicy")).put("type", "Sometimes");
    List<String> problems = SCHEDULED.problems(nightly);
    assertTrue(problems.size() == 1 && problems.get(0).startsWith("/spec/template/restartPolicy/type: "), problems.toString());
  }

  @Test
  void aManifestOfAnotherKindIsRejected() {
    assertEquals(1, SCHEDULED.problems(sparkApplication()).stream().filter(p -> p.startsWith("apiVersion/kind")).count());
  }
}
