package dev.consilium.moe.kernel;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, register-blocked matrix product {@code c (M, N) (+)= A (M, K) · B (K, N)} in the manner of
 * BLIS/GotoBLAS. A and B are read through strides, so one engine serves every transpose Matmul needs:
 * {@code A(m, k) = a[aOff + m*aRow + k*aCol]}, {@code B(k, n) = b[bOff + k*bRow + n*bCol]}; c is row-major.
 *
 * <p>Layout of the work: K is cut into blocks of at most {@link #KC}; B is packed once per call, shared by
 * all tasks, into panels of NR columns (row k of a panel is NR contiguous floats); each task packs its
 * own rows of A into panels of MR rows (column k of a panel is MR contiguous floats). The micro-kernel
 * then holds an MR x NR tile of c in vector registers and, for every k, broadcasts MR scalars of A and
 * does 2*MR fused multiply-adds against two vectors of B.
 *
 * <p>Determinism: every c element is, for each K block in order, a chain of FMAs over k starting from 0,
 * added once to c. Edge tiles run the same kernel on zero-padded panels. So the value of an element
 * depends on nothing but K, never on tiling, task split or thread count.
 */
final class Gemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    static final int MR = 4;
    static final int NR = 2 * L;
    /** A (MR x KC) and B (KC x NR) micro-panels together stay within a 32 KiB L1 at 8 lanes. */
    static final int KC = 256;
    /** Rows of A one task packs at a time: MC x KC floats stay in a 512 KiB L2. */
    static final int MC = 120;
    /** Below this many multiply-adds one thread finishes before a fork/join round trip pays off. */
    private static final long PARALLEL_MIN_FMAS = 1L << 18;

    private Gemm() {}

    static void gemm(int M, int N, int K,
                     float[] a, int aOff, int aRow, int aCol,
                     float[] b, int bOff, int bRow, int bCol,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        if (M <= 0 || N <= 0) return;
        if (K <= 0) {
            if (!accumulate) for (int m = 0; m < M; m++) Arrays.fill(c, cOff + m * ldc, cOff + m * ldc + N, 0f);
            return;
        }
        int kBlocks = (K + KC - 1) / KC;
        int nPanels = (N + NR - 1) / NR;
        int nPad = nPanels * NR;
        long fmas = (long) M * N * K;
        boolean parallel = Parallel.threads() > 1 && fmas >= PARALLEL_MIN_FMAS;

        float[] bp = Scratch.take(kBlocks * KC * nPad);
        try {
            // Packed B: for each K block (k0, kc), panels of kc x NR at bp[k0 * nPad + panel * kc * NR].
            Parallel.RangeBody packB = (from, to) -> {
                for (int q = from; q < to; q++) {
                    for (int k0 = 0; k0 < K; k0 += KC) {
                        int kc = Math.min(KC, K - k0);
                        packB(bp, k0 * nPad + q * kc * NR, b, bOff, bRow, bCol, k0, kc, q * NR, Math.min(NR, N - q * NR));
                    }
                }
            };
            if (parallel) Parallel.forRange(nPanels, 1, packB);
            else packB.run(0, nPanels);

            // Tasks own row blocks of c. Enough of them to keep every thread busy, each a multiple of MR
            // rows so edge tiles fall only at M's end.
            int rowPanels = (M + MR - 1) / MR;
            int blocks = parallel ? Math.max((M + MC - 1) / MC, Math.min(rowPanels, 2 * Parallel.threads())) : 1;
            int panelsPerBlock = (rowPanels + blocks - 1) / blocks;
            int taskRows = Math.min(M, panelsPerBlock * MR);
            int tasks = (M + taskRows - 1) / taskRows;
            Parallel.RangeBody compute = (from, to) -> {
                int blockRows = (Math.min(taskRows, MC) + MR - 1) / MR * MR;
                float[] ap = Scratch.take(blockRows * KC + MR * NR);
                try {
                    for (int t = from; t < to; t++) {
                        int m0 = t * taskRows;
                        int m1 = Math.min(M, m0 + taskRows);
                        for (int mb = m0; mb < m1; mb += MC) {
                            rowBlock(Math.min(MC, m1 - mb), mb, N, K, nPad, a, aOff, aRow, aCol, bp, ap, c, cOff, ldc, accumulate);
                        }
                    }
                } finally {
                    Scratch.give(ap);
                }
            };
            if (parallel) Parallel.forRange(tasks, 1, compute);
            else compute.run(0, tasks);
        } finally {
            Scratch.give(bp);
        }
    }

    /** c rows [m0, m0 + mc) over all N columns and all of K; ap holds this block's packed A. */
    private static void rowBlock(int mc, int m0, int N, int K, int nPad,
                                 float[] a, int aOff, int aRow, int aCol, float[] bp, float[] ap,
                                 float[] c, int cOff, int ldc, boolean accumulate) {
        int rowPanels = (mc + MR - 1) / MR;
        int tile = rowPanels * MR * KC; // edge tiles are written here first, then their valid part copied
        for (int k0 = 0; k0 < K; k0 += KC) {
            int kc = Math.min(KC, K - k0);
            boolean add = accumulate || k0 > 0;
            for (int p = 0; p < rowPanels; p++) {
                packA(ap, p * MR * kc, a, aOff, aRow, aCol, m0 + p * MR, Math.min(MR, mc - p * MR), k0, kc);
            }
            int bBase = k0 * nPad;
            for (int n0 = 0; n0 < N; n0 += NR) {
                int nr = Math.min(NR, N - n0);
                int bAt = bBase + (n0 / NR) * kc * NR;
                for (int p = 0; p < rowPanels; p++) {
                    int m = m0 + p * MR;
                    int mr = Math.min(MR, mc - p * MR);
                    int aAt = p * MR * kc;
                    if (mr == MR && nr == NR) {
                        kernel(kc, ap, aAt, bp, bAt, c, cOff + m * ldc + n0, ldc, add);
                    } else {
                        kernel(kc, ap, aAt, bp, bAt, ap, tile, NR, false);
                        for (int i = 0; i < mr; i++) {
                            int row = cOff + (m + i) * ldc + n0;
                            int t = tile + i * NR;
                            if (add) for (int j = 0; j < nr; j++) c[row + j] += ap[t + j];
                            else System.arraycopy(ap, t, c, row, nr);
                        }
                    }
                }
            }
        }
    }

    /** dst[at + k*MR + i] = A(m0 + i, k0 + k), rows past mr zero. */
    private static void packA(float[] dst, int at, float[] a, int aOff, int aRow, int aCol,
                              int m0, int mr, int k0, int kc) {
        if (aCol == 1) {
            for (int i = 0; i < mr; i++) {
                int src = aOff + (m0 + i) * aRow + k0;
                for (int k = 0; k < kc; k++) dst[at + k * MR + i] = a[src + k];
            }
        } else {
            for (int k = 0; k < kc; k++) {
                int src = aOff + m0 * aRow + (k0 + k) * aCol;
                for (int i = 0; i < mr; i++) dst[at + k * MR + i] = a[src + i * aRow];
            }
        }
        if (mr < MR) {
            for (int k = 0; k < kc; k++) for (int i = mr; i < MR; i++) dst[at + k * MR + i] = 0f;
        }
    }

    /** dst[at + k*NR + j] = B(k0 + k, n0 + j), columns past nr zero. */
    private static void packB(float[] dst, int at, float[] b, int bOff, int bRow, int bCol,
                              int k0, int kc, int n0, int nr) {
        if (bCol == 1) {
            for (int k = 0; k < kc; k++) {
                int src = bOff + (k0 + k) * bRow + n0;
                int d = at + k * NR;
                if (nr == NR) {
                    FloatVector.fromArray(S, b, src).intoArray(dst, d);
                    FloatVector.fromArray(S, b, src + L).intoArray(dst, d + L);
                } else {
                    for (int j = 0; j < nr; j++) dst[d + j] = b[src + j];
                    for (int j = nr; j < NR; j++) dst[d + j] = 0f;
                }
            }
        } else {
            for (int j = 0; j < nr; j++) {
                int src = bOff + k0 * bRow + (n0 + j) * bCol;
                for (int k = 0; k < kc; k++) dst[at + k * NR + j] = b[src + k * bRow];
            }
            for (int k = 0; k < kc; k++) for (int j = nr; j < NR; j++) dst[at + k * NR + j] = 0f;
        }
    }

    /**
     * c[cOff + i*ldc + j] (+)= sum over k of ap[aAt + k*MR + i] * bp[bAt + k*NR + j], for the full MR x NR
     * tile. Four rows, not the six BLIS uses on AVX2: with 12 accumulators C2 spills them to the stack
     * inside the loop and runs at less than half the speed; 8 accumulators, two B vectors and the
     * broadcasts fit the sixteen registers and reach the FMA units' peak on L1-resident panels.
     */
    private static void kernel(int kc, float[] ap, int aAt, float[] bp, int bAt,
                               float[] c, int cOff, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int k = 0; k < kc; k++) {
            int bk = bAt + k * NR;
            int ak = aAt + k * MR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bk);
            FloatVector b1 = FloatVector.fromArray(S, bp, bk + L);
            FloatVector x = FloatVector.broadcast(S, ap[ak]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, ap[ak + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, ap[ak + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, ap[ak + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
        // Written out rather than through a helper taking vectors: a call C2 declines to inline would box
        // the accumulators, and the boxing lands inside the loop.
        int r0 = cOff, r1 = cOff + ldc, r2 = cOff + 2 * ldc, r3 = cOff + 3 * ldc;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, r0));
            c01 = c01.add(FloatVector.fromArray(S, c, r0 + L));
            c10 = c10.add(FloatVector.fromArray(S, c, r1));
            c11 = c11.add(FloatVector.fromArray(S, c, r1 + L));
            c20 = c20.add(FloatVector.fromArray(S, c, r2));
            c21 = c21.add(FloatVector.fromArray(S, c, r2 + L));
            c30 = c30.add(FloatVector.fromArray(S, c, r3));
            c31 = c31.add(FloatVector.fromArray(S, c, r3 + L));
        }
        c00.intoArray(c, r0);
        c01.intoArray(c, r0 + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
    }
}
