package org.diffusionbatch.core.quantize;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A node left in float, and why: listed in the sidecar and by the command. */
public record SkippedOp(@JsonProperty("node") String node, @JsonProperty("op") String op,
    @JsonProperty("reason") String reason) {}
