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

  private final class Run extends DpmSolverRun {
    private int lowerOrderNums;

    Run(LatentShape shape, double[] timesteps, float[] sigmas) {
      super(shape, timesteps, sigmas, DpmSolverMultistepSampler.this.settings);
    }

    @Override
    protected void advance(int k, float[] modelOutput, float[] x, NoiseSource noise) {
      int n = steps();
      int order = settings.order;
      boolean lowerFinal = isLastStep(k)
          && (eulerAtFinal || (settings.lowerOrderFinal && n < 15) || settings.finalSigmaZero);
      boolean lowerSecond = k == n - 2 && settings.lowerOrderFinal && n < 15;

      float[] m0 = pushOutput(k, modelOutput, x);
      drawNoise(noise);
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
      addDrawnNoise(c, x);
      if (lowerOrderNums < order) {
        lowerOrderNums++;
      }
    }
  }
}
