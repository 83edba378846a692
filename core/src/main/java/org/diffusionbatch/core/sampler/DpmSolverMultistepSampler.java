package org.diffusionbatch.core.sampler;

import org.diffusionbatch.core.sampler.DpmSolverCoefficients.Level;

/**
 * DPM-Solver++ / DPM-Solver multistep, orders 1-3 (diffusers' DPMSolverMultistepScheduler): each
 * step reuses the model outputs of the previous steps instead of extra model calls.
 */
final class DpmSolverMultistepSampler extends ScheduledSampler {
  private final DpmSolverSettings settings;
  private final boolean eulerAtFinal;

  DpmSolverMultistepSampler(String name, SchedulerConfig config) {
    this(name, new DpmSolverSettings(name, config));
  }

  private DpmSolverMultistepSampler(String name, DpmSolverSettings settings) {
    super(name, settings.config, settings.schedule);
    this.settings = settings;
    this.eulerAtFinal = config.getBoolean("euler_at_final");
  }

  @Override
  protected double[] timesteps(int steps) {
    return settings.timesteps(steps, settings.spacing, TrainingSchedule.stepsOffset(config));
  }

  @Override
  protected SamplerRun run(LatentShape shape, double[] timesteps) {
    return new Run(shape, timesteps, settings.sigmasFor(timesteps));
  }

  private final class Run extends SamplerRun {
    private final Level[] levels;
    /** Converted model outputs, newest last. */
    private final float[][] history;
    private final float[] rowScratch;
    private final float[] scratch;
    private final float[] noiseBuffer;
    private int lowerOrderNums;

    Run(LatentShape shape, double[] timesteps, float[] sigmas) {
      super(shape, timesteps);
      this.levels = DpmSolverSettings.levels(sigmas);
      this.history = new float[settings.order][shape.size()];
      this.rowScratch = settings.clipping.newScratch(shape);
      this.scratch = settings.dataPrediction || !settings.clipping.isActive()
          ? new float[0] : new float[shape.size()];
      this.noiseBuffer = settings.algorithm.isStochastic() ? new float[shape.size()] : null;
    }

    @Override
    protected void advance(int k, float[] modelOutput, float[] x, NoiseSource noise) {
      int n = steps();
      int order = settings.order;
      boolean lowerFinal = isLastStep(k)
          && (eulerAtFinal || (settings.lowerOrderFinal && n < 15) || settings.finalSigmaZero);
      boolean lowerSecond = k == n - 2 && settings.lowerOrderFinal && n < 15;

      float[] m0 = rotateHistory();
      settings.convert(modelOutput, x, levels[k], shape, m0, rowScratch, scratch);

      if (noiseBuffer != null) {
        noise.fill(noiseBuffer, shape);
      }
      Level t = levels[k + 1];
      Level s0 = levels[k];
      DpmSolverCoefficients c = DpmSolverCoefficients.between(s0, t, settings.algorithm);
      if (order == 1 || lowerOrderNums < 1 || lowerFinal) {
        DpmSolverUpdates.firstOrder(c, x, m0, x);
      } else if (order == 2 || lowerOrderNums < 2 || lowerSecond) {
        float r0 = (s0.lambda() - levels[k - 1].lambda()) / c.h;
        float c1 = settings.heun ? c.c1Taylor : c.c1Midpoint;
        DpmSolverUpdates.secondOrder(c, c1, r0, x, m0, m0, history[order - 2], x);
      } else {
        float r0 = (s0.lambda() - levels[k - 1].lambda()) / c.h;
        float r1 = (levels[k - 1].lambda() - levels[k - 2].lambda()) / c.h;
        DpmSolverUpdates.multistepThirdOrder(c, r0, r1, x, m0, history[order - 2], history[order - 3], x);
      }
      if (noiseBuffer != null) {
        DpmSolverUpdates.addNoise(c, noiseBuffer, x);
      }
      if (lowerOrderNums < order) {
        lowerOrderNums++;
      }
    }

    /** Drops the oldest output and returns its buffer as the newest slot. */
    private float[] rotateHistory() {
      float[] oldest = history[0];
      System.arraycopy(history, 1, history, 0, history.length - 1);
      history[history.length - 1] = oldest;
      return oldest;
    }
  }
}
