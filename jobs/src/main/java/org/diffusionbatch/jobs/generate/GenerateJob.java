package org.diffusionbatch.jobs.generate;

import java.lang.reflect.InvocationTargetException;
import org.diffusionbatch.jobs.model.ImageMakerFactory;
import org.diffusionbatch.jobs.model.PipelineImageMakerFactory;
import picocli.CommandLine;

/** The spark-submit entry point: {@code spark-submit --class org.diffusionbatch.jobs.generate.GenerateJob <jobs-jar> ...}. */
public final class GenerateJob {
  /**
   * {@code --conf diffusionbatch.imageMakerFactory=CLASS}: load models with this {@link ImageMakerFactory}
   * (a public class with a public constructor taking the {@link GenerateOptions}) instead of core's
   * pipeline on ONNX graphs. The benchmarks' simulated accelerator and the tests' fault injection
   * (which decorates {@link #pipelineFactory}) plug in here; the class must be on the driver's and
   * the executors' classpath.
   */
  public static final String IMAGE_MAKER_FACTORY_CONF = "diffusionbatch.imageMakerFactory";

  private GenerateJob() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new GenerateCommand(true)).execute(args));
  }

  /** Runs the job; returns the exit code. */
  public static int run(GenerateOptions options) {
    ImageMakerFactory factory;
    try {
      factory = factoryFor(options);
    } catch (IllegalArgumentException e) {
      System.err.println("generate: " + e.getMessage());
      return GenerateCommand.EXIT_BAD_ARGUMENTS;
    }
    return new GenerateRun(options, factory).execute();
  }

  /** Core's pipeline, unless {@value #IMAGE_MAKER_FACTORY_CONF} names another factory. */
  static ImageMakerFactory factoryFor(GenerateOptions options) {
    String name = options.conf().get(IMAGE_MAKER_FACTORY_CONF);
    if (name == null) {
      return pipelineFactory(options);
    }
    try {
      Class<? extends ImageMakerFactory> type = Class.forName(name).asSubclass(ImageMakerFactory.class);
      return type.getConstructor(GenerateOptions.class).newInstance(options);
    } catch (ClassNotFoundException | ClassCastException | NoSuchMethodException | IllegalAccessException
        | InstantiationException e) {
      throw new IllegalArgumentException("--conf " + IMAGE_MAKER_FACTORY_CONF + "=" + name + " is not a public "
          + ImageMakerFactory.class.getName() + " with a public constructor taking GenerateOptions on the classpath: " + e);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException("--conf " + IMAGE_MAKER_FACTORY_CONF + "=" + name + " refused the options: "
          + e.getCause().getMessage(), e.getCause());
    }
  }

  /** Core's pipeline for the run's model and runtime settings: the default factory, and the one a decorating factory wraps. */
  public static PipelineImageMakerFactory pipelineFactory(GenerateOptions options) {
    return new PipelineImageMakerFactory(options.model(), options.intraOpThreads(), options.interOpThreads(), options.ortOptLevel(),
        options.gpuRunsPerGraph(), options.modelCache(), options.s3());
  }
}
