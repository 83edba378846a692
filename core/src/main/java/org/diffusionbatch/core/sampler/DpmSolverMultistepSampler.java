package org.diffusionbatch.core.sampler;

/**
 * DPM-Solver++ and DPM-Solver, multistep, orders 1 to 3: diffusers' DPMSolverMultistepScheduler
 * ({@code scheduling_dpmsolver_multistep.py}). A step of order k reuses the converted model outputs
 * of the k - 1 steps before it instead of calling the model again, so every step costs one model
 * call. {@code dpmpp-2m} is DPM-Solver++(2M), Algorithm 2 of Lu et al. 2022b.
 *
 * <p>In the papers' terms: a noise level has α, σ and the half log-SNR λ = ln(α/σ)
 * ({@link NoiseLevel}). A step goes from s0 (this step's level) to t (the next one), h = λ_t − λ_s0;
 * the earlier levels s1, s2 give h0 = λ_s0 − λ_s1, h1 = λ_s1 − λ_s2 and r0 = h0/h, r1 = h1/h.
 * m0, m1, m2 are the converted model outputs at s0, s1, s2 (x0 for DPM-Solver++, ε for
 * DPM-Solver); D0, D1, D2 estimate the output and its first and second λ-derivatives (times h,
 * h²). {@link Weights} holds each algorithm's coefficients of x, D0, D1, D2 and the noise z.
 *
 * <p>Papers: Lu et al. 2022a, "DPM-Solver", arXiv:2206.00927; Lu et al. 2022b, "DPM-Solver++",
 * arXiv:2211.01095. Scalars and updates are float32, in diffusers' order of operations.
 */
final class DpmSolverMultistepSampler extends ScheduledSampler {
  private final DpmSolverSettings settings;

  DpmSolverMultistepSampler(String name, SchedulerConfig config) {
    this(name, config, new DpmSolverSettings(name, config));
  }

  private DpmSolverMultistepSampler(String name, SchedulerConfig config, DpmSolverSettings settings) {
    super(name, config, TrainingSchedule.forSigmas(config));
    this.settings = settings;
  }

  @Override
  protected double[] timesteps(int steps) {
    // diffusers rounds Karras timesteps except on the cosine schedule (then its int64 cast truncates)
    boolean round = !"squaredcos_cap_v2".equals(config.getString("beta_schedule"));
    return DpmSolverSigmas.timesteps(
        schedule, settings, steps, settings.spacing, TrainingSchedule.stepsOffset(config), round);
  }

  @Override
  protected SamplerRun run(LatentShape shape, double[] timesteps) {
    return new Run(shape, timesteps, DpmSolverSigmas.sigmas(schedule, settings, timesteps));
  }

  /** diffusers' {@code step()}: convert the model output, choose this step's order, update. */
  private final class Run extends DpmSolverRun {
    /** Steps taken so far, capped at the solver order (diffusers' lower_order_nums). */
    private int lowerOrderNums;

    Run(LatentShape shape, double[] timesteps, float[] sigmas) {
      super(shape, timesteps, sigmas, DpmSolverMultistepSampler.this.settings);
    }

    @Override
    protected void advance(int k, float[] modelOutput, float[] x, NoiseSource noise) {
      int n = steps();
      int order = settings.order;
      // lower orders at the end steady few-step runs; a zero final sigma always ends with a
      // first-order step (h is infinite there, and the first-order update then returns x0)
      boolean lowerOrderFinal = isLastStep(k)
          && (settings.eulerAtFinal || (settings.lowerOrderFinal && n < 15) || settings.finalSigmaZero);
      boolean lowerOrderSecond = k == n - 2 && settings.lowerOrderFinal && n < 15;

      float[] m0 = pushModelOutput(k, modelOutput, x);
      float[] z = drawNoise(noise);
      NoiseLevel t = levels[k + 1];
      if (order == 1 || lowerOrderNums < 1 || lowerOrderFinal) {
        firstOrderUpdate(settings.algorithm, levels[k], t, x, m0, z, x);
      } else if (order == 2 || lowerOrderNums < 2 || lowerOrderSecond) {
        secondOrderUpdate(settings, levels[k - 1], levels[k], t, x, m0, previousOutput(1), z, x);
      } else {
        thirdOrderUpdate(settings.algorithm, levels[k - 2], levels[k - 1], levels[k], t, x, m0,
            previousOutput(1), previousOutput(2), x);
      }
      if (lowerOrderNums < order) {
        lowerOrderNums++;
      }
    }
  }

  /**
   * diffusers' {@code dpm_solver_first_order_update} (the singlestep scheduler uses it too), from s
   * to t with D0 = m0:
   *
   * <pre>
   * DPM-Solver++       x_t = (σ_t/σ_s)·x − α_t(e^{−h} − 1)·D0                    (DDIM)
   * DPM-Solver         x_t = (α_t/α_s)·x − σ_t(e^{h} − 1)·D0                     DPM-Solver-1, Eq. (3.7) of 2022a
   * SDE-DPM-Solver++   x_t = (σ_t/σ_s)e^{−h}·x + α_t(1 − e^{−2h})·D0 + σ_t√(1 − e^{−2h})·z
   * </pre>
   *
   * {@code out} may be {@code x}; {@code z} is null for the ODE solvers.
   */
  static void firstOrderUpdate(
      DpmSolverAlgorithm algorithm, NoiseLevel s, NoiseLevel t, float[] x, float[] m0, float[] z,
      float[] out) {
    Weights w = Weights.between(algorithm, s, t);
    for (int i = 0; i < out.length; i++) {
      out[i] = w.x * x[i] + w.d0 * m0[i];
    }
    w.addNoise(z, out);
  }

  /**
   * diffusers' {@code multistep_dpm_solver_second_order_update}, from s0 to t with m1 from s1:
   * D0 = m0, D1 = (m0 − m1)/r0,
   *
   * <pre>
   * DPM-Solver++, midpoint   x_t = (σ_t/σ_s0)·x − α_t(e^{−h} − 1)·D0 − ½·α_t(e^{−h} − 1)·D1
   * DPM-Solver++, heun       x_t = (σ_t/σ_s0)·x − α_t(e^{−h} − 1)·D0 + α_t((e^{−h} − 1)/h + 1)·D1
   * </pre>
   *
   * The midpoint form is DPM-Solver++(2M) (Lu et al. 2022b, Algorithm 2: x_t = (σ_t/σ_s0)·x −
   * α_t(e^{−h} − 1)·((1 + 1/(2r0))·m0 − 1/(2r0)·m1)); heun truncates the Taylor expansion of the
   * exact solution after D1 (Eq. (3.6) of 2022a, k = 2). DPM-Solver and SDE-DPM-Solver++ take
   * their {@link Weights} in the same places, SDE-DPM-Solver++ adds its noise term.
   */
  static void secondOrderUpdate(
      DpmSolverSettings settings, NoiseLevel s1, NoiseLevel s0, NoiseLevel t, float[] x,
      float[] m0, float[] m1, float[] z, float[] out) {
    Weights w = Weights.between(settings.algorithm, s0, t);
    float r0 = (s0.lambda() - s1.lambda()) / w.h;
    float d1Weight = w.d1(settings.heun);
    float invR0 = 1f / r0;
    for (int i = 0; i < out.length; i++) {
      float d1 = invR0 * (m0[i] - m1[i]);
      out[i] = w.x * x[i] + w.d0 * m0[i] + d1Weight * d1;
    }
    w.addNoise(z, out);
  }

  /**
   * diffusers' {@code multistep_dpm_solver_third_order_update}, from s0 to t with m1, m2 from s1,
   * s2: the Taylor expansion of the exact solution to D2 (Eq. (3.6) of 2022a, k = 3) with the
   * derivatives from divided differences of the last three outputs,
   *
   * <pre>
   * D1_0 = (m0 − m1)/r0,  D1_1 = (m1 − m2)/r1,
   * D1 = D1_0 + r0/(r0 + r1)·(D1_0 − D1_1),  D2 = (D1_0 − D1_1)/(r0 + r1),
   * DPM-Solver++   x_t = (σ_t/σ_s0)·x − α_t(e^{−h} − 1)·D0 + α_t((e^{−h} − 1)/h + 1)·D1
   *                      − α_t((e^{−h} − 1 + h)/h² − ½)·D2
   * </pre>
   *
   * (DPM-Solver++(3M); the solver type does not apply). DPM-Solver takes its {@link Weights} in the
   * same places; SDE-DPM-Solver++ has no third order here ({@link DpmSolverSettings}).
   */
  static void thirdOrderUpdate(
      DpmSolverAlgorithm algorithm, NoiseLevel s2, NoiseLevel s1, NoiseLevel s0, NoiseLevel t,
      float[] x, float[] m0, float[] m1, float[] m2, float[] out) {
    Weights w = Weights.between(algorithm, s0, t);
    float r0 = (s0.lambda() - s1.lambda()) / w.h;
    float r1 = (s1.lambda() - s2.lambda()) / w.h;
    float invR0 = 1f / r0;
    float invR1 = 1f / r1;
    float mix = r0 / (r0 + r1);
    float invSum = 1f / (r0 + r1);
    for (int i = 0; i < out.length; i++) {
      float d10 = invR0 * (m0[i] - m1[i]);
      float d11 = invR1 * (m1[i] - m2[i]);
      float d1 = d10 + mix * (d10 - d11);
      float d2 = invSum * (d10 - d11);
      out[i] = w.x * x[i] + w.d0 * m0[i] + w.d1 * d1 + w.d2 * d2;
    }
  }

  /**
   * The coefficients of one step from s to t, h = λ_t − λ_s: the weight of x is the exact
   * solution's linear part, those of D0, D1, D2 the integrals of the Taylor terms of the model
   * output against the exponential weight (Lu et al. 2022a, Prop. 3.1 and Eq. (3.6) for ε; the
   * data-prediction form of Lu et al. 2022b, Sec. 4.1, for x0):
   *
   * <pre>
   *                    x               D0                D1                              D2                                z
   * DPM-Solver++       σ_t/σ_s         −α_t(e^{−h} − 1)  α_t((e^{−h} − 1)/h + 1)         −α_t((e^{−h} − 1 + h)/h² − ½)
   * DPM-Solver         α_t/α_s         −σ_t(e^{h} − 1)   −σ_t((e^{h} − 1)/h − 1)         −σ_t((e^{h} − 1 − h)/h² − ½)
   * SDE-DPM-Solver++   (σ_t/σ_s)e^{−h}  α_t(1 − e^{−2h})  α_t((1 − e^{−2h})/(−2h) + 1)    (orders 1-2 only)                 σ_t√(1 − e^{−2h})
   * </pre>
   *
   * SDE-DPM-Solver++ solves the reverse SDE instead of the ODE (diffusers' sde-dpmsolver++,
   * k-diffusion's {@code sample_dpmpp_2m_sde} at eta 1). The midpoint solver type weighs D1 by
   * half the D0 weight instead ({@link #d1(boolean)}).
   */
  static final class Weights {
    /** h = λ_t − λ_s. */
    final float h;
    final float x;
    final float d0;
    /** The Taylor (heun) weight of D1. */
    final float d1;
    final float d2;
    /** Weight of the fresh noise z (SDE-DPM-Solver++ only, else 0). */
    final float noise;

    private Weights(float h, float x, float d0, float d1, float d2, float noise) {
      this.h = h;
      this.x = x;
      this.d0 = d0;
      this.d1 = d1;
      this.d2 = d2;
      this.noise = noise;
    }

    static Weights between(DpmSolverAlgorithm algorithm, NoiseLevel s, NoiseLevel t) {
      float h = t.lambda() - s.lambda();
      switch (algorithm) {
        case DPMSOLVER_PLUS_PLUS: {
          float expm1 = (float) Math.exp(-h) - 1f; // e^{−h} − 1
          return new Weights(h,
              t.sigma() / s.sigma(),
              -(t.alpha() * expm1),
              t.alpha() * (expm1 / h + 1f),
              -(t.alpha() * ((expm1 + h) / (h * h) - 0.5f)),
              0f);
        }
        case DPMSOLVER: {
          float expm1 = (float) Math.exp(h) - 1f; // e^{h} − 1
          return new Weights(h,
              t.alpha() / s.alpha(),
              -(t.sigma() * expm1),
              -(t.sigma() * (expm1 / h - 1f)),
              -(t.sigma() * ((expm1 - h) / (h * h) - 0.5f)),
              0f);
        }
        default: {
          float oneMinusExp = 1f - (float) Math.exp(-2f * h); // 1 − e^{−2h}
          return new Weights(h,
              t.sigma() / s.sigma() * (float) Math.exp(-h),
              t.alpha() * oneMinusExp,
              t.alpha() * (oneMinusExp / (-2f * h) + 1f),
              0f,
              t.sigma() * (float) Math.sqrt(oneMinusExp));
        }
      }
    }

    /** The weight of D1: the Taylor one for heun, half the D0 weight for midpoint. */
    float d1(boolean heun) {
      return heun ? d1 : 0.5f * d0;
    }

    /** out += noise·z, the SDE's last term (nothing for the ODE solvers, whose z is null). */
    void addNoise(float[] z, float[] out) {
      if (z == null) {
        return;
      }
      for (int i = 0; i < out.length; i++) {
        out[i] = out[i] + noise * z[i];
      }
    }
  }
}
