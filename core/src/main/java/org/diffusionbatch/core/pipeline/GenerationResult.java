package org.diffusionbatch.core.pipeline;

/**
 * What became of one request: an image, or the stage that failed and why. One failed row does
 * not fail its batch.
 */
public record GenerationResult(GenerationRequest request, GeneratedImage image, String failedStage, String error) {

  public static GenerationResult success(GenerationRequest request, GeneratedImage image) {
    return new GenerationResult(request, image, null, null);
  }

  public static GenerationResult failure(GenerationRequest request, String stage, String error) {
    return new GenerationResult(request, null, stage, error);
  }

  public boolean ok() {
    return image != null;
  }
}
