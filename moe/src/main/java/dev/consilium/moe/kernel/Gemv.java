package dev.consilium.moe.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gemm}'s product for fewer rows than its MR = 4, the shape of decoding (one token per sequence, an
 * expert's two or three tokens in a batch): {@code c (M, N) (+)= A (M, K) · B}, A's rows along k, B packed
 * by {@link Gemm#packB}. Gemm would pad the rows to four and do four times the multiply-adds; here the
 * product streams B's panels once, memory bound.
 *
 * <p>Bit-identical to Gemm: each element is, for each K block of KC in order, a chain of FMAs over k from 0,
 * stored (first block) or added to c. So a token's row is the same bits alone, beside two others, or in a
 * batch of 2048.
 */
final class Gemv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int NR = Gemm.NR;
    /** Panels one row sweeps at once: eight accumulators keep both FMA units busy despite their latency. */
    private static final int P1 = 4;
    /** Panels two rows sweep at once: again eight accumulators. */
    private static final int P2 = 2;
    /**
     * Below this many multiply-adds (a 1 MiB weight for one row) one thread streams the weight before a
     * fork/join round trip pays off; above, a second core adds its own memory bandwidth.
     */
    private static final long PARALLEL_MIN_FMAS = 1L << 18;

    private Gemv() {}

    /** c (M, N) (+)= A (M, K) · B for M below MR; A(m, k) = a[aOff + m*aRow + k]. */
    static void gemv(int M, int N, int K, float[] a, int aOff, int aRow, float[] bp, float[] c, int cOff, int ldc,
                     boolean accumulate, boolean parallel) {
        int nPanels = (N + NR - 1) / NR;
        // Tasks own runs of P1 panels (2 KiB of B per k row), so every task but the last runs full sweeps.
        int groups = (nPanels + P1 - 1) / P1;
        Parallel.RangeBody body = (from, to) -> {
            int q0 = from * P1, q1 = Math.min(nPanels, to * P1);
            int m = 0;
            for (; m + 2 <= M; m += 2) rows2(q0, q1, N, K, a, aOff + m * aRow, aRow, bp, c, cOff + m * ldc, ldc, accumulate);
            if (m < M) rows1(q0, q1, N, K, a, aOff + m * aRow, bp, c, cOff + m * ldc, accumulate);
        };
        if (parallel && parallel(M, N, K)) Parallel.forRange(groups, 1, body);
        else body.run(0, groups);
    }

    /** Whether a product of M < MR rows is worth the kernel pool: its weight streamed by two cores. */
    static boolean parallel(int M, int N, int K) {
        return Parallel.threads() > 1 && (long) M * N * K >= PARALLEL_MIN_FMAS;
    }

    /** One row of c over column panels [q0, q1). */
    private static void rows1(int q0, int q1, int N, int K, float[] a, int aAt, float[] bp, float[] c, int cAt,
                              boolean accumulate) {
        int nPad = (N + NR - 1) / NR * NR;
        for (int k0 = 0; k0 < K; k0 += Gemm.KC) {
            int kc = Math.min(Gemm.KC, K - k0);
            boolean add = accumulate || k0 > 0;
            int base = k0 * nPad, ak = aAt + k0, step = kc * NR;
            int q = q0;
            for (; q + P1 <= q1; q += P1) {
                int b0 = base + q * step, b1 = b0 + step, b2 = b1 + step, b3 = b2 + step;
                FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
                FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
                for (int k = 0; k < kc; k++) {
                    FloatVector x = FloatVector.broadcast(S, a[ak + k]);
                    int o = k * NR;
                    c00 = FloatVector.fromArray(S, bp, b0 + o).fma(x, c00);
                    c01 = FloatVector.fromArray(S, bp, b0 + o + L).fma(x, c01);
                    c10 = FloatVector.fromArray(S, bp, b1 + o).fma(x, c10);
                    c11 = FloatVector.fromArray(S, bp, b1 + o + L).fma(x, c11);
                    c20 = FloatVector.fromArray(S, bp, b2 + o).fma(x, c20);
                    c21 = FloatVector.fromArray(S, bp, b2 + o + L).fma(x, c21);
                    c30 = FloatVector.fromArray(S, bp, b3 + o).fma(x, c30);
                    c31 = FloatVector.fromArray(S, bp, b3 + o + L).fma(x, c31);
                }
                int n0 = q * NR;
                store(c00, c, cAt, n0, N, add);
                store(c01, c, cAt, n0 + L, N, add);
                store(c10, c, cAt, n0 + NR, N, add);
                store(c11, c, cAt, n0 + NR + L, N, add);
                store(c20, c, cAt, n0 + 2 * NR, N, add);
                store(c21, c, cAt, n0 + 2 * NR + L, N, add);
                store(c30, c, cAt, n0 + 3 * NR, N, add);
                store(c31, c, cAt, n0 + 3 * NR + L, N, add);
            }
            for (; q < q1; q++) {
                int b0 = base + q * step;
                FloatVector c00 = FloatVector.zero(S), c01 = c00;
                for (int k = 0; k < kc; k++) {
                    FloatVector x = FloatVector.broadcast(S, a[ak + k]);
                    c00 = FloatVector.fromArray(S, bp, b0 + k * NR).fma(x, c00);
                    c01 = FloatVector.fromArray(S, bp, b0 + k * NR + L).fma(x, c01);
                }
                store(c00, c, cAt, q * NR, N, add);
                store(c01, c, cAt, q * NR + L, N, add);
            }
        }
    }

    /** Rows m and m + 1 of c (A rows at aAt and aAt + aRow, c rows at cAt and cAt + ldc) over panels [q0, q1). */
    private static void rows2(int q0, int q1, int N, int K, float[] a, int aAt, int aRow, float[] bp, float[] c,
                              int cAt, int ldc, boolean accumulate) {
        int nPad = (N + NR - 1) / NR * NR;
        int cAt1 = cAt + ldc;
        for (int k0 = 0; k0 < K; k0 += Gemm.KC) {
            int kc = Math.min(Gemm.KC, K - k0);
            boolean add = accumulate || k0 > 0;
            int base = k0 * nPad, a0 = aAt + k0, a1 = a0 + aRow, step = kc * NR;
            for (int q = q0; q < q1; q += P2) {
                // a last odd panel runs beside itself; its duplicate results are not stored
                int b0 = base + q * step, b1 = q + 1 < q1 ? b0 + step : b0;
                FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
                FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
                for (int k = 0; k < kc; k++) {
                    int o = k * NR;
                    FloatVector w0 = FloatVector.fromArray(S, bp, b0 + o), w1 = FloatVector.fromArray(S, bp, b0 + o + L);
                    FloatVector w2 = FloatVector.fromArray(S, bp, b1 + o), w3 = FloatVector.fromArray(S, bp, b1 + o + L);
                    FloatVector x = FloatVector.broadcast(S, a[a0 + k]);
                    c00 = w0.fma(x, c00);
                    c01 = w1.fma(x, c01);
                    c02 = w2.fma(x, c02);
                    c03 = w3.fma(x, c03);
                    x = FloatVector.broadcast(S, a[a1 + k]);
                    c10 = w0.fma(x, c10);
                    c11 = w1.fma(x, c11);
                    c12 = w2.fma(x, c12);
                    c13 = w3.fma(x, c13);
                }
                int n0 = q * NR;
                store(c00, c, cAt, n0, N, add);
                store(c01, c, cAt, n0 + L, N, add);
                store(c10, c, cAt1, n0, N, add);
                store(c11, c, cAt1, n0 + L, N, add);
                if (q + 1 < q1) {
                    store(c02, c, cAt, n0 + NR, N, add);
                    store(c03, c, cAt, n0 + NR + L, N, add);
                    store(c12, c, cAt1, n0 + NR, N, add);
                    store(c13, c, cAt1, n0 + NR + L, N, add);
                }
            }
        }
    }

    /** c[row + n0 ..] (+)= v, lanes past N dropped. */
    private static void store(FloatVector v, float[] c, int row, int n0, int N, boolean add) {
        if (n0 + L <= N) {
            if (add) v = v.add(FloatVector.fromArray(S, c, row + n0));
            v.intoArray(c, row + n0);
        } else if (n0 < N) {
            VectorMask<Float> m = S.indexInRange(n0, N);
            if (add) v = v.add(FloatVector.fromArray(S, c, row + n0, m));
            v.intoArray(c, row + n0, m);
        }
    }
}
