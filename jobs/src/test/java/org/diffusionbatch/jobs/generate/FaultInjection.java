package org.diffusionbatch.jobs.generate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.diffusionbatch.core.pipeline.GenerationRequest;
import org.diffusionbatch.core.pipeline.GenerationResult;
import org.diffusionbatch.core.pipeline.GenerationSettings;
import org.diffusionbatch.jobs.model.ImageMaker;
import org.diffusionbatch.jobs.model.ImageMakerFactory;

/**
 * Faults and probes that prove the job survives what clusters do to it (a task attempt failing, an
 * executor JVM dying) and that each JVM loads its model once: a factory decorating the real one,
 * given to the job with {@link #CONF}. Each is off unless its test conf is set:
 *
 * <ul>
 *   <li>{@code diffusionbatch.test.failOncePartition=P}: partition P's first attempt throws after its second batch;
 *   <li>{@code diffusionbatch.test.haltOnceMarker=FILE}: the first JVM to finish a batch creates FILE and halts;
 *   <li>{@code diffusionbatch.test.markerDir=DIR}: each model load appends the JVM's pid to DIR/loads.txt, each
 *       injected task failure the partition to DIR/failures.txt.
 * </ul>
 */
public final class FaultInjection implements ImageMakerFactory {
  /** The {@code --conf} value that makes a run load its models through this factory. */
  static final String CONF = GenerateJob.IMAGE_MAKER_FACTORY_CONF + "=" + FaultInjection.class.getName();

  /** Batches made so far by each task attempt in this JVM (the model is shared by the executor's tasks). */
  private static final Map<Long, AtomicInteger> BATCHES = new ConcurrentHashMap<>();

  private final ImageMakerFactory real;
  private final int failOncePartition;
  private final String haltOnceMarker;
  private final String markerDir;

  public FaultInjection(GenerateOptions options) {
    this.real = GenerateJob.pipelineFactory(options);
    this.failOncePartition = Integer.parseInt(options.conf().getOrDefault("diffusionbatch.test.failOncePartition", "-1"));
    this.haltOnceMarker = options.conf().get("diffusionbatch.test.haltOnceMarker");
    this.markerDir = options.conf().get("diffusionbatch.test.markerDir");
  }

  @Override
  public String key(Integer gpu) {
    return "fault-injection|" + real.key(gpu);
  }

  @Override
  public ImageMaker load(Integer gpu) {
    ImageMaker model = real.load(gpu);
    mark("loads.txt", Long.toString(ProcessHandle.current().pid()));
    return new DelegatingImageMaker(model) {
      @Override
      public List<GenerationResult> generate(GenerationSettings settings, List<GenerationRequest> requests) {
        List<GenerationResult> made = model.generate(settings, requests);
        afterBatch(TaskContext.get());
        return made;
      }
    };
  }

  private void afterBatch(TaskContext task) {
    if (task == null) {
      return;
    }
    int batch = BATCHES.computeIfAbsent(task.taskAttemptId(), id -> new AtomicInteger()).incrementAndGet();
    if (task.partitionId() == failOncePartition && task.attemptNumber() == 0 && batch == 2) {
      mark("failures.txt", Integer.toString(failOncePartition));
      throw new IllegalStateException("test fault: diffusionbatch.test.failOncePartition=" + failOncePartition);
    }
    if (haltOnceMarker != null) {
      try {
        Files.createFile(Path.of(haltOnceMarker));
      } catch (IOException alreadyHalted) {
        return;
      }
      Runtime.getRuntime().halt(1);
    }
  }

  private void mark(String file, String line) {
    if (markerDir == null) {
      return;
    }
    try {
      Files.createDirectories(Path.of(markerDir));
      Files.writeString(Path.of(markerDir, file), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException("test probe: cannot write to " + markerDir, e);
    }
  }
}
