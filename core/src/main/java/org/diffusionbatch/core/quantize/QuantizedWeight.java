package org.diffusionbatch.core.quantize;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One weight stored as INT8: its name, the op using it, its shape and element type as exported,
 * the axis its scales run along (-1: one scale), and the range of those scales.
 */
public record QuantizedWeight(
    @JsonProperty("tensor") String tensor,
    @JsonProperty("op") String op,
    @JsonProperty("shape") List<Long> shape,
    @JsonProperty("type") String type,
    @JsonProperty("axis") int axis,
    @JsonProperty("min_scale") float minScale,
    @JsonProperty("max_scale") float maxScale) {}
