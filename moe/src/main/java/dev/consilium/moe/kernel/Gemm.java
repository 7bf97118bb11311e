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
 * all tasks, into panels of NR columns (row k of a panel is NR contiguous floats). A is read in panels of
 * MR rows, each row contiguous along k: in place where A is stored that way (forward, backward input),
 * else packed by each task into its own scratch (backward weight's dout^T). The micro-kernel holds an
 * MR x NR tile of c in vector registers and, for every k, broadcasts MR scalars of A and does 2*MR fused
 * multiply-adds against two vectors of B. Tasks own row blocks of c; within one, each B panel stays in
 * L1 while the kernel sweeps MC rows of A held in L2.
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
    /**
     * Row stride of packed A: KC plus one cache line, so the rows of a packed block do not all fall into
     * the same few L1 sets as they would at a power-of-two stride.
     */
    private static final int PS = KC + 64 / Float.BYTES;
    /** Most floats of A one task packs ahead for all of K (4 MiB); more rows are taken in turns. */
    private static final int PACKED_A_FLOATS = 1 << 20;
    /** Rows of c one sweep covers per B panel: their A, MC x KC floats, stays in a 512 KiB L2. */
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
                int r0 = from * taskRows, r1 = Math.min(M, to * taskRows);
                if (aCol == 1) {
                    // A's rows run along k (forward, backward input): the kernel reads them in place.
                    float[] work = Scratch.take(MR * PS + MR * NR);
                    try {
                        for (int mb = r0; mb < r1; mb += MC) {
                            int mc = Math.min(MC, r1 - mb);
                            rowBlock(mc, mb, N, K, nPad, a, aOff + mb * aRow, aRow, KC, a, aOff, aRow,
                                    bp, work, c, cOff, ldc, accumulate);
                        }
                    } finally {
                        Scratch.give(work);
                    }
                    return;
                }
                // A's columns run along m (dout^T in backward weight). Packed for all of K before any
                // product: block by block, each source row would be visited in short stretches pages
                // apart, once per block, and the packing ran as long as the products.
                int span = Math.max(MC, PACKED_A_FLOATS / (kBlocks * PS) / MC * MC);
                for (int s0 = r0; s0 < r1; s0 += span) {
                    int rows = Math.min(span, r1 - s0);
                    int padded = (rows + MR - 1) / MR * MR;
                    float[] ap = Scratch.take(kBlocks * padded * PS + MR * PS + MR * NR);
                    try {
                        for (int k0 = 0; k0 < K; k0 += KC) {
                            packA(ap, (k0 / KC) * padded * PS, PS, Math.min(KC, K - k0), a, aOff, aRow, aCol,
                                    s0, rows, 0, padded, k0);
                        }
                        for (int mb = s0; mb < s0 + rows; mb += MC) {
                            rowBlock(Math.min(MC, s0 + rows - mb), mb, N, K, nPad, ap, (mb - s0) * PS, PS, padded * PS,
                                    null, 0, 0, bp, ap, c, cOff, ldc, accumulate);
                        }
                    } finally {
                        Scratch.give(ap);
                    }
                }
            };
            if (parallel) Parallel.forRange(tasks, 1, compute);
            else compute.run(0, tasks);
        } finally {
            Scratch.give(bp);
        }
    }

    /**
     * c rows [m0, m0 + mc) over all N columns and all of K. Row m0 + i of A, from column k0 on, is at
     * pa[paAt + i*paRow + (k0/KC)*paBlock]. When A is read in place (src not null) a last, partial panel is
     * first copied from src into work with zero rows; work's end holds an edge tile of c, written there
     * and then its valid part copied out.
     */
    private static void rowBlock(int mc, int m0, int N, int K, int nPad,
                                 float[] pa, int paAt, int paRow, int paBlock,
                                 float[] src, int srcOff, int srcRow, float[] bp, float[] work,
                                 float[] c, int cOff, int ldc, boolean accumulate) {
        int rowPanels = (mc + MR - 1) / MR;
        boolean partial = src != null && mc % MR != 0;
        int tile = work.length - MR * NR;
        for (int k0 = 0; k0 < K; k0 += KC) {
            int kc = Math.min(KC, K - k0);
            boolean add = accumulate || k0 > 0;
            if (partial) packA(work, 0, PS, kc, src, srcOff, srcRow, 1, m0 + (rowPanels - 1) * MR, mc % MR, 0, MR, k0);
            int bBase = k0 * nPad;
            int aBase = paAt + (k0 / KC) * paBlock;
            for (int n0 = 0; n0 < N; n0 += NR) {
                int nr = Math.min(NR, N - n0);
                int bAt = bBase + (n0 / NR) * kc * NR;
                for (int p = 0; p < rowPanels; p++) {
                    int m = m0 + p * MR;
                    int mr = Math.min(MR, mc - p * MR);
                    boolean fromWork = partial && mr < MR;
                    float[] ar = fromWork ? work : pa;
                    int aAt = fromWork ? 0 : aBase + p * MR * paRow;
                    int aStride = fromWork ? PS : paRow;
                    if (mr == MR && nr == NR) {
                        kernel(kc, ar, aAt, aStride, bp, bAt, c, cOff + m * ldc + n0, ldc, add);
                    } else {
                        kernel(kc, ar, aAt, aStride, bp, bAt, work, tile, NR, false);
                        for (int i = 0; i < mr; i++) {
                            int row = cOff + (m + i) * ldc + n0;
                            int t = tile + i * NR;
                            if (add) for (int j = 0; j < nr; j++) c[row + j] += work[t + j];
                            else System.arraycopy(work, t, c, row, nr);
                        }
                    }
                }
            }
        }
    }

    /**
     * Rows [from, to) of the block starting at m0, packed row-major with row stride ps:
     * dst[at + m*ps + k] = A(m0 + m, k0 + k) for m below mc, zero from mc on.
     */
    private static void packA(float[] dst, int at, int ps, int kc, float[] a, int aOff, int aRow, int aCol,
                              int m0, int mc, int from, int to, int k0) {
        int end = Math.min(mc, to);
        if (aCol == 1) {
            for (int m = from; m < end; m++) System.arraycopy(a, aOff + (m0 + m) * aRow + k0, dst, at + m * ps, kc);
        } else {
            // A's columns run along m (dout^T): transpose in 16 x 64 tiles, so the source lines and the
            // destination lines a tile touches all stay in L1 until the tile is done.
            for (int kk = 0; kk < kc; kk += 16) {
                int kEnd = Math.min(kc, kk + 16);
                for (int mm = from; mm < end; mm += 64) {
                    int mEnd = Math.min(end, mm + 64);
                    for (int k = kk; k < kEnd; k++) {
                        int row = aOff + m0 * aRow + (k0 + k) * aCol;
                        for (int m = mm; m < mEnd; m++) dst[at + m * ps + k] = a[row + m * aRow];
                    }
                }
            }
        }
        for (int m = Math.max(from, end); m < to; m++) Arrays.fill(dst, at + m * ps, at + m * ps + kc, 0f);
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
     * c[cOff + i*ldc + j] (+)= sum over k < kc of a[aAt + i*aStride + k] * bp[bAt + k*NR + j], for the full
     * MR x NR tile. Four rows, not the six BLIS uses on AVX2: with 12 accumulators C2 spills them to the
     * stack inside the loop and runs at less than half the speed; 8 accumulators, two B vectors and the
     * broadcasts fit the sixteen registers and reach the FMA units' peak on L1-resident panels.
     */
    private static void kernel(int kc, float[] a, int aAt, int aStride, float[] bp, int bAt,
                               float[] c, int cOff, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        int a0 = aAt, a1 = aAt + aStride, a2 = aAt + 2 * aStride, a3 = aAt + 3 * aStride;
        for (int k = 0; k < kc; k++) {
            int bk = bAt + k * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bk);
            FloatVector b1 = FloatVector.fromArray(S, bp, bk + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + k]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, a[a1 + k]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, a[a2 + k]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, a[a3 + k]);
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
