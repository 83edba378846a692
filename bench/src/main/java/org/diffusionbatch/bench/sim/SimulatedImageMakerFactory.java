package org.diffusionbatch.bench.sim;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.diffusionbatch.core.model.GraphRunGate;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.core.pipeline.TextToImagePipeline;
import org.diffusionbatch.jobs.generate.GenerateJob;
import org.diffusionbatch.jobs.generate.GenerateOptions;
import org.diffusionbatch.jobs.model.ImageMaker;
import org.diffusionbatch.jobs.model.ImageMakerFactory;
import org.diffusionbatch.jobs.model.PipelineImageMaker;

/**
 * The generate job's model loader for the simulated device: core's real TextToImagePipeline (and
 * the job's real PipelineImageMaker around it) over {@link SimulatedModel}'s parts, one device per
 * executor JVM shared by its tasks. Chosen with
 * {@code --conf diffusionbatch.imageMakerFactory=org.diffusionbatch.bench.sim.SimulatedImageMakerFactory};
 * {@code --model} gives the scheduler, tokenizer and pipeline class (models/tiny-sd: Stable
 * Diffusion; models/tiny-lcm: LCM), the shapes are SD 1.5's.
 *
 * <p>Settings ({@code --conf}): {@value #PROFILE} (h100-sd15, the default, or zero), {@value #SHARING}
 * (one-queue, the default, or per-graph), {@value #TOKENIZER} (a folder with CLIP's vocab.json and
 * merges.txt, e.g. ../shared/reference/tokenizer, instead of the model's), {@value #PICTURES} (how
 * many distinct pictures the decoder returns, default 8).
 */
public final class SimulatedImageMakerFactory implements ImageMakerFactory {
  public static final String FACTORY_CONF = GenerateJob.IMAGE_MAKER_FACTORY_CONF;
  public static final String PROFILE = "diffusionbatch.sim.profile";
  public static final String SHARING = "diffusionbatch.sim.sharing";
  public static final String TOKENIZER = "diffusionbatch.sim.tokenizer";
  public static final String PICTURES = "diffusionbatch.sim.pictures";
  /** A fresh device and model for each benchmark run in one JVM (the job keeps loaded models for the JVM's life). */
  public static final String RUN = "diffusionbatch.sim.run";

  /** The devices and pictures of the models loaded in this JVM, by {@value #RUN}; the benchmark reads their usage. */
  private static final Map<String, SimulatedDevice> DEVICES = new ConcurrentHashMap<>();
  private static final Map<String, SimulatedPictures> PICTURE_SETS = new ConcurrentHashMap<>();

  private final String model;
  private final String profile;
  private final String sharing;
  private final String tokenizer;
  private final int pictures;
  private final String run;
  private final int runsPerGraph;

  /** The constructor the job calls for {@code --conf diffusionbatch.imageMakerFactory}. */
  public SimulatedImageMakerFactory(GenerateOptions options) {
    Map<String, String> conf = options.conf();
    this.model = options.model();
    this.profile = conf.getOrDefault(PROFILE, DeviceProfile.H100_SD15.name());
    this.sharing = conf.getOrDefault(SHARING, SimulatedDevice.Sharing.ONE_QUEUE.name());
    this.tokenizer = conf.get(TOKENIZER);
    this.pictures = Integer.parseInt(conf.getOrDefault(PICTURES, "8"));
    this.run = conf.getOrDefault(RUN, "");
    // generate's --gpu-runs-per-graph, as core reads it for a GPU.
    this.runsPerGraph = options.gpuRunsPerGraph() > 0 ? options.gpuRunsPerGraph() : GraphRunGate.GPU_DEFAULT;
    DeviceProfile.named(profile);
    SimulatedDevice.Sharing.parse(sharing);
  }

  @Override
  public String key(Integer gpu) {
    return String.join("|", "simulated", model, profile, sharing, String.valueOf(tokenizer), Integer.toString(pictures), run,
        Integer.toString(runsPerGraph), gpu == null ? "device" : "gpu" + gpu);
  }

  @Override
  public ImageMaker load(Integer gpu) {
    SimulatedPictures madePictures = new SimulatedPictures(pictures, 512, 512);
    SimulatedDevice device = new SimulatedDevice(DeviceProfile.named(profile), SimulatedDevice.Sharing.parse(sharing), runsPerGraph);
    TextToImagePipeline pipeline = new TextToImagePipeline(SimulatedModel.sd15(model, tokenizer, device, madePictures));
    DEVICES.put(run, device);
    PICTURE_SETS.put(run, madePictures);
    return new Clocked(new PipelineImageMaker(pipeline));
  }

  /** The device of the model loaded in this JVM for the run with this {@value #RUN} token, or null before it loads. */
  public static SimulatedDevice device(String run) {
    return DEVICES.get(run);
  }

  /** The pictures of that model, or null. */
  public static SimulatedPictures pictures(String run) {
    return PICTURE_SETS.get(run);
  }

  /** The job's ImageMaker with {@link StageClock} started and stopped around each batch. */
  private record Clocked(ImageMaker maker) implements ImageMaker {
    @Override
    public String modelUri() {
      return maker.modelUri();
    }

    @Override
    public String modelDigest() {
      return maker.modelDigest();
    }

    @Override
    public GenerationSettings defaults() {
      return maker.defaults();
    }

    @Override
    public void validate(GenerationSettings settings) {
      maker.validate(settings);
    }

    @Override
    public int unetEvaluationsPerImage(GenerationSettings settings) {
      return maker.unetEvaluationsPerImage(settings);
    }

    @Override
    public List<GenerationResult> generate(GenerationSettings settings, List<GenerationRequest> requests) {
      StageClock.start();
      try {
        return maker.generate(settings, requests);
      } finally {
        StageClock.stop();
      }
    }

    @Override
    public void close() {
      maker.close();
    }
  }
}
