package org.diffusionbatch.core.sampler;

/**
 * The DPM-Solver updates as array loops. {@code m0} is the newest converted model output (x0 for
 * DPM-Solver++, eps for DPM-Solver), {@code m1}, {@code m2} the earlier ones. Each writes
 * {@code out} (which may be {@code base}).
 */
final class DpmSolverUpdates {
  private DpmSolverUpdates() {}

  /** The SDE variant's last term: out += cNoise * z (added last, as diffusers' expression does). */
  static void addNoise(DpmSolverCoefficients c, float[] z, float[] out) {
    float cn = c.cNoise;
    for (int i = 0; i < out.length; i++) {
      out[i] = out[i] + cn * z[i];
    }
  }

  /** First order (DDIM-equivalent): x_t = cx*x + c0*m0. */
  static void firstOrder(DpmSolverCoefficients c, float[] base, float[] m0, float[] out) {
    float cx = c.cx;
    float c0 = c.c0;
    for (int i = 0; i < out.length; i++) {
      out[i] = cx * base[i] + c0 * m0[i];
    }
  }

  /**
   * Second order from D0 = {@code d0} and D1 = (a - b)/r0; {@code c1} is the midpoint or Taylor
   * weight.
   */
  static void secondOrder(
      DpmSolverCoefficients c, float c1, float r0, float[] base, float[] d0, float[] a, float[] b,
      float[] out) {
    float cx = c.cx;
    float c0 = c.c0;
    float invR0 = 1f / r0;
    for (int i = 0; i < out.length; i++) {
      float d1 = invR0 * (a[i] - b[i]);
      out[i] = cx * base[i] + c0 * d0[i] + c1 * d1;
    }
  }

  /** Multistep third order (diffusers' multistep_dpm_solver_third_order_update). */
  static void multistepThirdOrder(
      DpmSolverCoefficients c, float r0, float r1, float[] base, float[] m0, float[] m1,
      float[] m2, float[] out) {
    float cx = c.cx;
    float c0 = c.c0;
    float c1 = c.c1Taylor;
    float c2 = c.c2;
    float invR0 = 1f / r0;
    float invR1 = 1f / r1;
    float mix = r0 / (r0 + r1);
    float invSum = 1f / (r0 + r1);
    for (int i = 0; i < out.length; i++) {
      float d10 = invR0 * (m0[i] - m1[i]);
      float d11 = invR1 * (m1[i] - m2[i]);
      float d1 = d10 + mix * (d10 - d11);
      float d2 = invSum * (d10 - d11);
      out[i] = cx * base[i] + c0 * m0[i] + c1 * d1 + c2 * d2;
    }
  }

  /**
   * Singlestep third order (diffusers' singlestep_dpm_solver_third_order_update) from the base
   * sample at s2: midpoint uses only D1_1, heun the full D1 and D2.
   */
  static void singlestepThirdOrder(
      DpmSolverCoefficients c, boolean heun, float r0, float r1, float[] base, float[] m0,
      float[] m1, float[] m2, float[] out) {
    float cx = c.cx;
    float c0 = c.c0;
    float c1 = c.c1Taylor;
    float c2 = c.c2;
    float invR0 = 1f / r0;
    float invR1 = 1f / r1;
    float dr = r0 - r1;
    for (int i = 0; i < out.length; i++) {
      float d10 = invR1 * (m1[i] - m2[i]);
      float d11 = invR0 * (m0[i] - m2[i]);
      if (heun) {
        float d1 = (r0 * d10 - r1 * d11) / dr;
        float d2 = 2f * (d11 - d10) / dr;
        out[i] = cx * base[i] + c0 * m2[i] + c1 * d1 + c2 * d2;
      } else {
        out[i] = cx * base[i] + c0 * m2[i] + c1 * d11;
      }
    }
  }
}
