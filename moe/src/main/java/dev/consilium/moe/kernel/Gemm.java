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
 * MR rows: in place where A's rows run along k (forward, backward input), else (backward weight's dout^T)
 * packed by each task into its own scratch, interleaved so each k holds the panel's MR rows together. The micro-kernel holds an
 * MR x NR tile of c in vector registers and, for every k, broadcasts MR scalars of A and does 2*MR fused
 * multiply-adds against two vectors of B. Tasks own ranges of rows of c (and of columns, when rows are
 * few); within one, each B panel stays in L1 while the kernel sweeps MC rows of A held in L2.
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
     * Stride of interleaved A panels (MR x KC): one cache line more than 4 KiB, so that writing many
     * panels at once does not land every write in the same L1 set.
     */
    private static final int PI = MR * KC + 64 / Float.BYTES;
    /** Four floats, MR of them, for copying an interleaved panel's column in one move. */
    private static final VectorSpecies<Float> S4 = FloatVector.SPECIES_128;
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
        boolean parallel = parallel(M, N, K);
        float[] bp = BufferPool.take(packedSize(K, N));
        try {
            packB(bp, K, N, b, bOff, bRow, bCol, parallel);
            gemmPacked(M, N, K, a, aOff, aRow, aCol, bp, c, cOff, ldc, accumulate, parallel);
        } finally {
            BufferPool.give(bp);
        }
    }

    /** Whether a product is worth the kernel pool; rows count as padded to MR, as the kernel runs them. */
    static boolean parallel(int M, int N, int K) {
        return Parallel.threads() > 1 && (long) (M + MR - 1) / MR * MR * N * K >= PARALLEL_MIN_FMAS;
    }

    /** Floats B (K, N) takes packed. */
    static int packedSize(int K, int N) {
        long size = (long) (K + KC - 1) / KC * KC * ((N + NR - 1) / NR * NR);
        if (size > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("packed B of " + K + " x " + N + " exceeds an array");
        return (int) size;
    }

    /**
     * B (K, N) into panels: for each K block (k0, kc), the panel of columns q*NR.. is kc x NR floats at
     * bp[k0 * nPad + q * kc * NR], columns past N zero.
     */
    static void packB(float[] bp, int K, int N, float[] b, int bOff, int bRow, int bCol, boolean parallel) {
        int nPanels = (N + NR - 1) / NR;
        int nPad = nPanels * NR;
        Parallel.RangeBody pack = (from, to) -> {
            for (int q = from; q < to; q++) {
                for (int k0 = 0; k0 < K; k0 += KC) {
                    int kc = Math.min(KC, K - k0);
                    packPanel(bp, k0 * nPad + q * kc * NR, b, bOff, bRow, bCol, k0, kc, q * NR, Math.min(NR, N - q * NR));
                }
            }
        };
        if (parallel) Parallel.forRange(nPanels, 1, pack);
        else pack.run(0, nPanels);
    }

    /** c (M, N) (+)= A (M, K) · B, with B already packed by {@link #packB}. */
    static void gemmPacked(int M, int N, int K, float[] a, int aOff, int aRow, int aCol, float[] bp,
                           float[] c, int cOff, int ldc, boolean accumulate, boolean parallel) {
        if (M < MR && aCol == 1) {
            Gemv.gemv(M, N, K, a, aOff, aRow, bp, c, cOff, ldc, accumulate, parallel);
            return;
        }
        int kBlocks = (K + KC - 1) / KC;
        int nPanels = (N + NR - 1) / NR;
        int nPad = nPanels * NR;
        // Tasks own a range of rows, a multiple of MR so edge tiles fall only at M's end, and when rows
        // are too few to go round (decoding a token or two) a range of column panels too. Four tasks per
        // thread let a thread slowed by something else on its core hand work to the other.
        int want = parallel ? 4 * Parallel.threads() : 1;
        int rowPanels = (M + MR - 1) / MR;
        int rowsPerTask = (rowPanels + Math.min(rowPanels, want) - 1) / Math.min(rowPanels, want) * MR;
        int rowTasks = (M + rowsPerTask - 1) / rowsPerTask;
        int panelsPerTask = (nPanels + Math.min(nPanels, (want + rowTasks - 1) / rowTasks) - 1)
                / Math.min(nPanels, (want + rowTasks - 1) / rowTasks);
        int colTasks = (nPanels + panelsPerTask - 1) / panelsPerTask;
        Parallel.RangeBody compute = (from, to) -> {
            for (int t = from; t < to; t++) {
                int r0 = (t / colTasks) * rowsPerTask, r1 = Math.min(M, r0 + rowsPerTask);
                int q0 = (t % colTasks) * panelsPerTask, q1 = Math.min(nPanels, q0 + panelsPerTask);
                if (aCol == 1) {
                    // A's rows run along k (forward, backward input): the kernel reads them in place.
                    float[] work = BufferPool.take(MR * KC + MR * NR);
                    try {
                        for (int mb = r0; mb < r1; mb += MC) {
                            rowBlock(Math.min(MC, r1 - mb), mb, q0, q1, N, K, nPad, a, aOff + mb * aRow, MR * aRow,
                                    aRow, KC, a, aOff, aRow, bp, work, c, cOff, ldc, accumulate);
                        }
                    } finally {
                        BufferPool.give(work);
                    }
                    continue;
                }
                // A's columns run along m (dout^T in backward weight): packed, for all of K before any
                // product, into panels where each k holds the panel's MR rows side by side, so packing
                // copies MR neighbours at a time. Block by block instead, each source row would be
                // visited in short stretches pages apart, and the packing ran as long as the products.
                int span = Math.max(MC, PACKED_A_FLOATS / (kBlocks * PI) * MR / MC * MC);
                for (int s0 = r0; s0 < r1; s0 += span) {
                    int rows = Math.min(span, r1 - s0);
                    int panels = (rows + MR - 1) / MR;
                    float[] ap = BufferPool.take(kBlocks * panels * PI + MR * NR);
                    try {
                        for (int k0 = 0; k0 < K; k0 += KC) {
                            packInterleaved(ap, (k0 / KC) * panels * PI, Math.min(KC, K - k0), a, aOff, aRow, aCol,
                                    s0, rows, k0);
                        }
                        for (int mb = s0; mb < s0 + rows; mb += MC) {
                            rowBlock(Math.min(MC, s0 + rows - mb), mb, q0, q1, N, K, nPad, ap, (mb - s0) / MR * PI,
                                    PI, 0, panels * PI, null, 0, 0, bp, ap, c, cOff, ldc, accumulate);
                        }
                    } finally {
                        BufferPool.give(ap);
                    }
                }
            }
        };
        int tasks = rowTasks * colTasks;
        if (parallel) Parallel.forRange(tasks, 1, compute);
        else compute.run(0, tasks);
    }

    /**
     * c rows [m0, m0 + mc), column panels [q0, q1), over all of K. The panel of A rows m0 + p*MR.., for the
     * K block from k0, starts at pa[paAt + p*paPanel + (k0/KC)*paBlock]: row-major with row stride paRow,
     * or, when paRow is 0, interleaved as {@link #packInterleaved} lays it out. When A is read in place
     * (src not null) a last, partial panel is first copied from src into work with zero rows; work's end
     * holds an edge tile of c, written there and then its valid part copied out.
     */
    private static void rowBlock(int mc, int m0, int q0, int q1, int N, int K, int nPad,
                                 float[] pa, int paAt, int paPanel, int paRow, int paBlock,
                                 float[] src, int srcOff, int srcRow, float[] bp, float[] work,
                                 float[] c, int cOff, int ldc, boolean accumulate) {
        int rowPanels = (mc + MR - 1) / MR;
        boolean partial = src != null && mc % MR != 0;
        int tile = work.length - MR * NR;
        for (int k0 = 0; k0 < K; k0 += KC) {
            int kc = Math.min(KC, K - k0);
            boolean add = accumulate || k0 > 0;
            if (partial) copyRows(work, KC, kc, src, srcOff, srcRow, m0 + (rowPanels - 1) * MR, mc % MR, k0);
            int bBase = k0 * nPad;
            int aBase = paAt + (k0 / KC) * paBlock;
            for (int n0 = q0 * NR; n0 < Math.min(N, q1 * NR); n0 += NR) {
                int nr = Math.min(NR, N - n0);
                int bAt = bBase + (n0 / NR) * kc * NR;
                for (int p = 0; p < rowPanels; p++) {
                    int m = m0 + p * MR;
                    int mr = Math.min(MR, mc - p * MR);
                    boolean fromWork = partial && mr < MR;
                    float[] ar = fromWork ? work : pa;
                    int aAt = fromWork ? 0 : aBase + p * paPanel;
                    int aStride = fromWork ? KC : paRow;
                    boolean full = mr == MR && nr == NR;
                    float[] out = full ? c : work;
                    int outAt = full ? cOff + m * ldc + n0 : tile;
                    int outRow = full ? ldc : NR;
                    boolean outAdd = full && add;
                    if (aStride == 0) kernelInterleaved(kc, ar, aAt, bp, bAt, out, outAt, outRow, outAdd);
                    else kernel(kc, ar, aAt, aStride, bp, bAt, out, outAt, outRow, outAdd);
                    if (!full) {
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

    /** An MR-row panel of A (rows along k) at dst[0], row stride ps, from kc columns at k0; rows past mr zero. */
    private static void copyRows(float[] dst, int ps, int kc, float[] a, int aOff, int aRow, int m0, int mr, int k0) {
        for (int i = 0; i < mr; i++) System.arraycopy(a, aOff + (m0 + i) * aRow + k0, dst, i * ps, kc);
        for (int i = mr; i < MR; i++) Arrays.fill(dst, i * ps, i * ps + kc, 0f);
    }

    /**
     * Rows [m0, m0 + rows) of A for the K block from k0 as interleaved panels:
     * dst[at + p*PI + k*MR + i] = A(m0 + p*MR + i, k0 + k), rows past the end zero.
     */
    private static void packInterleaved(float[] dst, int at, int kc, float[] a, int aOff, int aRow, int aCol,
                                        int m0, int rows, int k0) {
        int panels = (rows + MR - 1) / MR;
        int full = rows / MR;
        // Sixteen k at a time across 64 rows, so the lines read and written stay in L1 meanwhile.
        for (int kk = 0; kk < kc; kk += 16) {
            int kEnd = Math.min(kc, kk + 16);
            for (int pp = 0; pp < panels; pp += 16) {
                int pEnd = Math.min(panels, pp + 16);
                for (int k = kk; k < kEnd; k++) {
                    int src = aOff + m0 * aRow + (k0 + k) * aCol;
                    int d = at + k * MR;
                    for (int p = pp; p < pEnd; p++) {
                        if (aRow == 1 && p < full) {
                            FloatVector.fromArray(S4, a, src + p * MR).intoArray(dst, d + p * PI);
                        } else {
                            for (int i = 0; i < MR; i++) {
                                int m = p * MR + i;
                                dst[d + p * PI + i] = m < rows ? a[src + m * aRow] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /** dst[at + k*NR + j] = B(k0 + k, n0 + j), columns past nr zero. */
    private static void packPanel(float[] dst, int at, float[] b, int bOff, int bRow, int bCol,
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
        } else if (bRow == 1) {
            // w^T in forward: each column of B is a row of w. Read it along, write down the panel (which
            // stays in L1); a stride known to be 1 lets the compiler drop the bounds checks.
            for (int j = 0; j < nr; j++) {
                int src = bOff + k0 + (n0 + j) * bCol;
                for (int k = 0; k < kc; k++) dst[at + k * NR + j] = b[src + k];
            }
            for (int k = 0; k < kc; k++) for (int j = nr; j < NR; j++) dst[at + k * NR + j] = 0f;
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

    /**
     * {@link #kernel} for an interleaved A panel: a[aAt + k*MR + i] in place of a[aAt + i*aStride + k].
     * The same multiply-adds in the same order, so results do not depend on which layout A came in.
     */
    private static void kernelInterleaved(int kc, float[] a, int aAt, float[] bp, int bAt,
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
            FloatVector x = FloatVector.broadcast(S, a[ak]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, a[ak + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, a[ak + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, a[ak + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
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
