package org.diffusionbatch.jobs.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import java.nio.file.Path;
import java.util.List;

/**
 * One version of a CustomResourceDefinition's {@code openAPIV3Schema}, checking custom resources
 * as the Kubernetes API server does under {@code kubectl apply}'s default strict field validation:
 * types, formats, enums, required fields, and no field the schema does not declare (unless the
 * schema keeps unknown fields with {@code x-kubernetes-preserve-unknown-fields}). Validation is
 * networknt's json-schema-validator with its OpenAPI 3.0 dialect, the schema language of CRDs.
 */
final class CrdSchema {
  /**
   * OpenAPI 3.0 plus Kubernetes' structural-schema extensions. They say how the API server merges
   * lists and maps or that a field takes an int or a string (the schema's anyOf says that too);
   * none restricts a value beyond the schema's own keywords, and these CRDs carry no CEL rules.
   */
  private static final Dialect KUBERNETES_OPENAPI = Dialect.builder(Dialects.getOpenApi30())
      .keywords(java.util.stream.Stream.of("x-kubernetes-int-or-string", "x-kubernetes-list-map-keys", "x-kubernetes-list-type",
          "x-kubernetes-map-type", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource")
          .map(NonValidationKeyword::new).toList())
      .build();

  private final String apiVersion;
  private final String kind;
  private final Schema schema;

  private CrdSchema(String apiVersion, String kind, Schema schema) {
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.schema = schema;
  }

  /** The schema of the given version in a CRD file (one YAML document). */
  static CrdSchema load(Path crdFile, String version) {
    List<JsonNode> documents = DeployFiles.parse(crdFile);
    if (documents.size() != 1 || !"CustomResourceDefinition".equals(documents.get(0).path("kind").asText())) {
      throw new AssertionError(crdFile + " is not one CustomResourceDefinition");
    }
    JsonNode spec = documents.get(0).path("spec");
    for (JsonNode v : spec.path("versions")) {
      if (version.equals(v.path("name").asText())) {
        if (!v.path("served").asBoolean()) {
          throw new AssertionError(crdFile + ": version " + version + " is not served");
        }
        ObjectNode openApi = v.path("schema").path("openAPIV3Schema").deepCopy();
        closeObjects(openApi);
        if (openApi.toString().contains("x-kubernetes-validations")) {
          throw new AssertionError(crdFile + " has CEL rules (x-kubernetes-validations), which this check cannot run");
        }
        Schema schema = SchemaRegistry.withDefaultDialect(KUBERNETES_OPENAPI).getSchema(openApi);
        return new CrdSchema(spec.path("group").asText() + "/" + version, spec.path("names").path("kind").asText(), schema);
      }
    }
    throw new AssertionError(crdFile + " has no version " + version);
  }

  /** The resource's problems, one line each (JSON path and message); empty when it is valid. */
  List<String> problems(JsonNode resource) {
    List<String> problems = new java.util.ArrayList<>();
    if (!apiVersion.equals(resource.path("apiVersion").asText()) || !kind.equals(resource.path("kind").asText())) {
      problems.add("apiVersion/kind " + resource.path("apiVersion").asText() + " " + resource.path("kind").asText()
          + " is not this CRD's " + apiVersion + " " + kind);
    }
    for (Error error : schema.validate(resource)) {
      problems.add(error.getInstanceLocation() + ": " + error.getMessage());
    }
    return problems;
  }

  /**
   * Every object schema that lists its properties and neither allows other properties nor keeps
   * unknown fields gets additionalProperties: false, so an unknown (e.g. misspelt) field is an error
   * as with strict field validation, not silently pruned.
   */
  private static void closeObjects(JsonNode schema) {
    if (!schema.isObject()) {
      return;
    }
    ObjectNode object = (ObjectNode) schema;
    if (object.has("properties") && !object.has("additionalProperties")
        && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
      object.put("additionalProperties", false);
    }
    // The sub-schemas, by keyword (a "properties" map's keys are field names, not keywords).
    object.path("properties").forEach(CrdSchema::closeObjects);
    closeObjects(object.path("items"));
    closeObjects(object.path("additionalProperties"));
    for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
      object.path(combinator).forEach(CrdSchema::closeObjects);
    }
    closeObjects(object.path("not"));
  }
}
