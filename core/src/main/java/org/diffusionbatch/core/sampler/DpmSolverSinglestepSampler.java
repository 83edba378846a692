package org.diffusionbatch.core.sampler;

import java.util.ArrayList;
import java.util.List;
import org.diffusionbatch.core.sampler.DpmSolverMultistepSampler.Weights;
import org.diffusionbatch.core.schedule.TimestepSpacing;

/**
 * DPM-Solver++ and DPM-Solver, singlestep: diffusers' DPMSolverSinglestepScheduler
 * ({@code scheduling_dpmsolver_singlestep.py}). Steps come in groups of 1, 2 (, 3) model calls;
 * a group integrates from the sample saved at its first-order step, the group's later model calls
 * being its intermediate points: DPM-Solver-2 and -3 (Lu et al. 2022a, Algorithms 1 and 2) and
 * DPM-Solver++(2S) (Lu et al. 2022b, Algorithm 1). {@code dpm-2s} is the order-2 form.
 *
 * <p>Terms as in {@link DpmSolverMultistepSampler}, except that an update of order k starts at the
 * group's first level: s1 for order 2, s2 for order 3, so h = λ_t − λ_s1 (or λ_t − λ_s2) and
 * r0 = (λ_s0 − λ_s1)/h, r1 = (λ_s1 − λ_s2)/h measure the intermediate points within the step. The
 * first-order update and the coefficients are the multistep scheduler's (diffusers copies them).
 */
final class DpmSolverSinglestepSampler extends ScheduledSampler {
  private final DpmSolverSettings settings;

  DpmSolverSinglestepSampler(String name, SchedulerConfig config) {
    this(name, config, new DpmSolverSettings(name, config));
  }

  private DpmSolverSinglestepSampler(String name, SchedulerConfig config, DpmSolverSettings settings) {
    super(name, config, TrainingSchedule.forSigmas(config));
    this.settings = settings;
  }

  @Override
  protected double[] timesteps(int steps) {
    // the singlestep scheduler always spaces linearly, whatever timestep_spacing says
    return DpmSolverSigmas.timesteps(schedule, settings, steps, TimestepSpacing.LINSPACE, 0, true);
  }

  @Override
  protected SamplerRun run(LatentShape shape, double[] timesteps) {
    return new Run(shape, timesteps, DpmSolverSigmas.sigmas(schedule, settings, timesteps),
        orderList(timesteps.length));
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

  /** diffusers' {@code step()}: convert the model output, take the order the list gives, update. */
  private final class Run extends DpmSolverRun {
    private final int[] orders;
    /** The sample at the current group's first-order step, which the group integrates from. */
    private final float[] groupStart;
    private int outputsSeen;

    Run(LatentShape shape, double[] timesteps, float[] sigmas, int[] orders) {
      super(shape, timesteps, sigmas, DpmSolverSinglestepSampler.this.settings);
      this.orders = orders;
      this.groupStart = new float[shape.size()];
    }

    @Override
    protected void advance(int k, float[] modelOutput, float[] x, NoiseSource noise) {
      float[] m0 = pushModelOutput(k, modelOutput, x);
      outputsSeen++;
      // as diffusers: fall back to a lower order while earlier outputs are missing
      int order = Math.min(orders[k], outputsSeen);
      if (order == 1) {
        System.arraycopy(x, 0, groupStart, 0, x.length);
      }
      float[] z = drawNoise(noise);
      NoiseLevel t = levels[k + 1];
      if (order == 1) {
        DpmSolverMultistepSampler.firstOrderUpdate(settings.algorithm, levels[k], t, groupStart, m0, z, x);
      } else if (order == 2) {
        secondOrderUpdate(settings, levels[k - 1], levels[k], t, groupStart, m0, previousOutput(1), z, x);
      } else {
        thirdOrderUpdate(settings, levels[k - 2], levels[k - 1], levels[k], t, groupStart, m0,
            previousOutput(1), previousOutput(2), x);
      }
    }
  }

  /**
   * diffusers' {@code singlestep_dpm_solver_second_order_update}, from the group start x at s1 to
   * t, m1 at s1 and m0 at the intermediate level s0: D0 = m1, D1 = (m0 − m1)/r0,
   *
   * <pre>
   * DPM-Solver++, midpoint   x_t = (σ_t/σ_s1)·x − α_t(e^{−h} − 1)·D0 − ½·α_t(e^{−h} − 1)·D1
   * DPM-Solver++, heun       x_t = (σ_t/σ_s1)·x − α_t(e^{−h} − 1)·D0 + α_t((e^{−h} − 1)/h + 1)·D1
   * DPM-Solver, midpoint     x_t = (α_t/α_s1)·x − σ_t(e^{h} − 1)·D0 − ½·σ_t(e^{h} − 1)·D1
   * </pre>
   *
   * The midpoint forms are DPM-Solver++(2S) (Lu et al. 2022b, Algorithm 1: −α_t(e^{−h} − 1)·
   * ((1 − 1/(2r0))·m1 + 1/(2r0)·m0)) and DPM-Solver-2 (Lu et al. 2022a, Algorithm 1, with the
   * intermediate point at r0); heun and SDE-DPM-Solver++ take their {@link Weights} in the same
   * places.
   */
  static void secondOrderUpdate(
      DpmSolverSettings settings, NoiseLevel s1, NoiseLevel s0, NoiseLevel t, float[] x,
      float[] m0, float[] m1, float[] z, float[] out) {
    Weights w = Weights.between(settings.algorithm, s1, t);
    float r0 = (s0.lambda() - s1.lambda()) / w.h;
    float d1Weight = w.d1(settings.heun);
    float invR0 = 1f / r0;
    for (int i = 0; i < out.length; i++) {
      float d1 = invR0 * (m0[i] - m1[i]);
      out[i] = w.x * x[i] + w.d0 * m1[i] + d1Weight * d1;
    }
    w.addNoise(z, out);
  }

  /**
   * diffusers' {@code singlestep_dpm_solver_third_order_update}, from the group start x at s2 to t,
   * with m2 at s2 and the intermediate outputs m1 at s1, m0 at s0: D0 = m2,
   * D1_0 = (m1 − m2)/r1, D1_1 = (m0 − m2)/r0, and
   *
   * <pre>
   * midpoint   x_t = (σ_t/σ_s2)·x − α_t(e^{−h} − 1)·D0 + α_t((e^{−h} − 1)/h + 1)·D1_1
   * heun       D1 = (r0·D1_0 − r1·D1_1)/(r0 − r1),  D2 = 2·(D1_1 − D1_0)/(r0 − r1),
   *            x_t = (σ_t/σ_s2)·x − α_t(e^{−h} − 1)·D0 + α_t((e^{−h} − 1)/h + 1)·D1
   *                  − α_t((e^{−h} − 1 + h)/h² − ½)·D2
   * </pre>
   *
   * (DPM-Solver++; the midpoint form is DPM-Solver-3's last stage, Lu et al. 2022a, Algorithm 2;
   * heun is the Taylor expansion to D2, Eq. (3.6), k = 3). DPM-Solver takes its {@link Weights} in
   * the same places; SDE-DPM-Solver++ has no third order here ({@link DpmSolverSettings}).
   */
  static void thirdOrderUpdate(
      DpmSolverSettings settings, NoiseLevel s2, NoiseLevel s1, NoiseLevel s0, NoiseLevel t,
      float[] x, float[] m0, float[] m1, float[] m2, float[] out) {
    Weights w = Weights.between(settings.algorithm, s2, t);
    float r0 = (s0.lambda() - s2.lambda()) / w.h;
    float r1 = (s1.lambda() - s2.lambda()) / w.h;
    float invR0 = 1f / r0;
    float invR1 = 1f / r1;
    if (settings.heun) {
      float dr = r0 - r1;
      for (int i = 0; i < out.length; i++) {
        float d10 = invR1 * (m1[i] - m2[i]);
        float d11 = invR0 * (m0[i] - m2[i]);
        float d1 = (r0 * d10 - r1 * d11) / dr;
        float d2 = 2f * (d11 - d10) / dr;
        out[i] = w.x * x[i] + w.d0 * m2[i] + w.d1 * d1 + w.d2 * d2;
      }
    } else {
      for (int i = 0; i < out.length; i++) {
        float d11 = invR0 * (m0[i] - m2[i]);
        out[i] = w.x * x[i] + w.d0 * m2[i] + w.d1 * d11;
      }
    }
  }
}
