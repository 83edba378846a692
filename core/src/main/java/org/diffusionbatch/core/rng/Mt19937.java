package org.diffusionbatch.core.rng;

/**
 * The 32-bit Mersenne Twister exactly as PyTorch's CPU generator runs it ({@code at::mt19937}):
 * seeded with the low 32 bits of the seed by the classic {@code init_genrand} recurrence, state
 * regenerated 624 words at a time. Not thread-safe; each generator owns one.
 */
final class Mt19937 {
  private static final int N = 624;
  private static final int M = 397;
  private static final int MATRIX_A = 0x9908b0df;
  private static final int UPPER_MASK = 0x80000000;
  private static final int LOWER_MASK = 0x7fffffff;

  private final int[] state = new int[N];
  private int next;

  Mt19937(long seed) {
    state[0] = (int) seed; // torch keeps the 64-bit seed but feeds only its low 32 bits to the engine
    for (int j = 1; j < N; j++) {
      int prev = state[j - 1];
      state[j] = 1812433253 * (prev ^ (prev >>> 30)) + j;
    }
    next = N; // forces a regeneration before the first output, like torch's left_ = 1
  }

  /** The next 32 random bits (read as unsigned by callers that need it). */
  int nextInt() {
    if (next == N) {
      regenerate();
    }
    int y = state[next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  /** Two outputs joined high-then-low, as torch's {@code random64()}. */
  long nextLong() {
    long hi = nextInt() & 0xffffffffL;
    long lo = nextInt() & 0xffffffffL;
    return (hi << 32) | lo;
  }

  private void regenerate() {
    int[] s = state;
    int k = 0;
    for (; k < N - M; k++) {
      s[k] = s[k + M] ^ twist(s[k], s[k + 1]);
    }
    for (; k < N - 1; k++) {
      s[k] = s[k + M - N] ^ twist(s[k], s[k + 1]);
    }
    s[N - 1] = s[M - 1] ^ twist(s[N - 1], s[0]);
    next = 0;
  }

  private static int twist(int u, int v) {
    int mixed = (u & UPPER_MASK) | (v & LOWER_MASK);
    return (mixed >>> 1) ^ ((v & 1) != 0 ? MATRIX_A : 0);
  }
}
