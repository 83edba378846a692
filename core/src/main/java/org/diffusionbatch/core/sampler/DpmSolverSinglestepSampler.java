package org.diffusionbatch.core.sampler;

import java.util.ArrayList;
import java.util.List;
import org.diffusionbatch.core.sampler.DpmSolverCoefficients.Level;
import org.diffusionbatch.core.schedule.TimestepSpacing;

/**
 * DPM-Solver(++) singlestep (diffusers' DPMSolverSinglestepScheduler): steps come in groups of
 * 1, 2 (, 3) model calls, each group integrating from the sample saved at its first-order step.
 */
final class DpmSolverSinglestepSampler extends ScheduledSampler {
  private final DpmSolverSettings settings;

  DpmSolverSinglestepSampler(String name, SchedulerConfig config) {
    this(name, new DpmSolverSettings(name, config));
  }

  private DpmSolverSinglestepSampler(String name, DpmSolverSettings settings) {
    super(name, settings.config, settings.schedule);
    this.settings = settings;
  }

  @Override
  protected double[] timesteps(int steps) {
    // the singlestep scheduler always spaces linearly, whatever timestep_spacing says
    return settings.timesteps(steps, TimestepSpacing.LINSPACE, 0);
  }

  @Override
  protected SamplerRun run(LatentShape shape, double[] timesteps) {
    return new Run(
        shape, timesteps, settings.sigmasFor(timesteps), orderList(timesteps.length));
  }

  /** diffusers' get_order_list: repeating 1, 2(, 3) groups, lower orders at the end. */
  int[] orderList(int steps) {
    int order = settings.order;
    // diffusers switches lower_order_final on for an uneven split or a zero final sigma
    boolean lowerFinal = settings.lowerOrderFinal || steps % order != 0 || settings.finalSigmaZero;
    List<Integer> orders = new ArrayList<>();
    if (lowerFinal) {
      if (order == 3) {
        int groups = steps % 3 == 0 ? steps / 3 - 1 : steps / 3;
        repeat(orders, groups, 1, 2, 3);
        if (steps % 3 == 0) {
          orders.add(1);
          orders.add(2);
          orders.add(1);
        } else if (steps % 3 == 1) {
          orders.add(1);
        } else {
          orders.add(1);
          orders.add(2);
        }
      } else if (order == 2) {
        if (steps % 2 == 0) {
          repeat(orders, steps / 2 - 1, 1, 2);
          orders.add(1);
          orders.add(1);
        } else {
          repeat(orders, steps / 2, 1, 2);
          orders.add(1);
        }
      } else {
        repeat(orders, steps, 1);
      }
    } else if (order == 3) {
      repeat(orders, steps / 3, 1, 2, 3);
    } else if (order == 2) {
      repeat(orders, steps / 2, 1, 2);
    } else {
      repeat(orders, steps, 1);
    }
    if (settings.finalSigmaZero) {
      orders.set(orders.size() - 1, 1);
    }
    return orders.stream().mapToInt(Integer::intValue).toArray();
  }

  private static void repeat(List<Integer> out, int times, int... group) {
    for (int i = 0; i < times; i++) {
      for (int g : group) {
        out.add(g);
      }
    }
  }

  private final class Run extends DpmSolverRun {
    private final int[] orders;
    /** The sample at the current group's first-order step, which the group integrates from. */
    private final float[] base;
    private int outputsSeen;

    Run(LatentShape shape, double[] timesteps, float[] sigmas, int[] orders) {
      super(shape, timesteps, sigmas, DpmSolverSinglestepSampler.this.settings);
      this.orders = orders;
      this.base = new float[shape.size()];
    }

    @Override
    protected void advance(int k, float[] modelOutput, float[] x, NoiseSource noise) {
      int slots = settings.order;
      float[] m0 = pushOutput(k, modelOutput, x);
      outputsSeen++;

      // as diffusers: fall back to a lower order while earlier outputs are missing
      int order = Math.min(orders[k], outputsSeen);
      if (order == 1) {
        System.arraycopy(x, 0, base, 0, x.length);
      }
      drawNoise(noise);
      Level t = levels[k + 1];
      DpmSolverCoefficients c;
      if (order == 1) {
        c = DpmSolverCoefficients.between(levels[k], t, settings.algorithm);
        DpmSolverUpdates.firstOrder(c, base, m0, x);
      } else if (order == 2) {
        Level s1 = levels[k - 1];
        c = DpmSolverCoefficients.between(s1, t, settings.algorithm);
        float r0 = (levels[k].lambda() - s1.lambda()) / c.h;
        float c1 = settings.heun ? c.c1Taylor : c.c1Midpoint;
        float[] m1 = history[slots - 2];
        DpmSolverUpdates.secondOrder(c, c1, r0, base, m1, m0, m1, x);
      } else {
        Level s2 = levels[k - 2];
        c = DpmSolverCoefficients.between(s2, t, settings.algorithm);
        float r0 = (levels[k].lambda() - s2.lambda()) / c.h;
        float r1 = (levels[k - 1].lambda() - s2.lambda()) / c.h;
        DpmSolverUpdates.singlestepThirdOrder(
            c, settings.heun, r0, r1, base, m0, history[slots - 2], history[slots - 3], x);
      }
      addDrawnNoise(c, x);
    }
  }
}
