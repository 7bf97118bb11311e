package dev.consilium.moe.kernel;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight w (OC, C) stored narrower than fp32 ({@link Bf16Weight}, {@link Fp8Weight}) and decoded to fp32
 * as forward goes, never as a whole matrix.
 *
 * <p>Layout: output channels in groups of {@link #W} = 4 vector lengths, which is two of {@link Gemm}'s
 * NR-wide panels. A group holds, for each k in [0, C) in turn, its W weights of row k of w^T, so a group
 * is one contiguous stretch of memory and a forward streams each group once. Channels past OC are zero.
 *
 * <p>Forward has two paths:
 * <ul>
 *   <li>One to three tokens (decoding, memory bound; an expert's few tokens in a batch): each group runs a
 *       fused kernel that loads one k row of narrow weights, widens it to four float vectors in registers
 *       and multiply-adds them against a token. Fewer bytes per weight is what makes it faster than fp32.</li>
 *   <li>More tokens (prefill, compute bound): each task decodes a slab of {@link #SLAB} groups for one K
 *       block into a scratch tile in Gemm's packed-panel layout (128 KiB at 8 lanes), then runs Gemm's
 *       kernel for all its tokens against it, so decoding costs once per slab, not once per token.</li>
 * </ul>
 * Both compute every output as Gemm does, for each K block of KC a chain of FMAs over k from 0, the blocks
 * added in order. So a token's outputs are bit-identical alone or in any batch, and bit-identical to
 * {@link Matmul#forward} on the decoded matrix.
 */
abstract sealed class NarrowWeight implements WeightMatrix permits Bf16Weight, Fp8Weight {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Output channels per group: two Gemm panels of NR = 2L. */
    static final int W = 4 * L;
    /** Groups decoded into one tile: 128 output channels, the width of a DeepSeek FP8 scale block. */
    static final int SLAB = Math.max(1, 128 / W);

    final int C, OC, groups;

    NarrowWeight(int C, int OC) {
        if (C < 0 || OC < 0) throw new IllegalArgumentException("negative shape (" + OC + ", " + C + ")");
        this.C = C;
        this.OC = OC;
        this.groups = (OC + W - 1) / W;
    }

    @Override
    public final int inputChannels() {
        return C;
    }

    @Override
    public final int outputChannels() {
        return OC;
    }

    /** Elements of the grouped layout, checked to fit one array. */
    static int groupedSize(int C, int OC, int elementsPerInt) {
        long n = (long) (OC + W - 1) / W * W * C / elementsPerInt;
        if (n > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("weight (" + OC + ", " + C + ") exceeds an array");
        return (int) n;
    }

    @Override
    public final void forward(float[] out, int outOff, float[] inp, int inOff, int N) {
        if (N <= 0 || OC == 0) return;
        if (C == 0) {
            Arrays.fill(out, outOff, outOff + N * OC, 0f);
            return;
        }
        boolean parallel = N < Gemm.MR ? Gemv.parallel(N, OC, C) : Gemm.parallel(N, OC, C);
        if (N < Gemm.MR) {
            // Each row runs the fused kernel on a group before the next group is read, so the group's narrow
            // bytes come from L1 for the second and third rows; a decoded tile would be written and read
            // back at four bytes per weight, which cost more than decoding again.
            Parallel.RangeBody body = (from, to) -> {
                for (int g = from; g < to; g++) {
                    for (int r = 0; r < N; r++) dotGroup(g, inp, inOff + r * C, out, outOff + r * OC + g * W, Math.min(W, OC - g * W));
                }
            };
            if (parallel) Parallel.forRange(groups, 1, body);
            else body.run(0, groups);
            return;
        }
        int slabs = (groups + SLAB - 1) / SLAB;
        // Rows are split too when slabs are too few to go round; each row task decodes its slab again.
        int rowPanels = (N + Gemm.MR - 1) / Gemm.MR;
        int want = parallel ? 4 * Parallel.threads() : 1;
        int rowSplit = Math.min(rowPanels, Math.max(1, (want + slabs - 1) / slabs));
        int rowsPerTask = (rowPanels + rowSplit - 1) / rowSplit * Gemm.MR;
        int rowTasks = (N + rowsPerTask - 1) / rowsPerTask;
        Parallel.RangeBody body = (from, to) -> {
            float[] tile = BufferPool.take(Gemm.KC * SLAB * W);
            try {
                for (int t = from; t < to; t++) {
                    int g0 = (t % slabs) * SLAB, g1 = Math.min(groups, g0 + SLAB);
                    int r0 = (t / slabs) * rowsPerTask, rows = Math.min(rowsPerTask, N - r0);
                    int c0 = g0 * W, cols = Math.min(OC, g1 * W) - c0;
                    for (int k0 = 0; k0 < C; k0 += Gemm.KC) {
                        int kc = Math.min(Gemm.KC, C - k0);
                        for (int g = g0; g < g1; g++) decode(g, k0, kc, tile, (g - g0) * W * kc);
                        Gemm.gemmPacked(rows, cols, kc, inp, inOff + r0 * C + k0, C, 1, tile,
                                out, outOff + r0 * OC + c0, OC, k0 > 0, false);
                    }
                }
            } finally {
                BufferPool.give(tile);
            }
        };
        if (parallel) Parallel.forRange(slabs * rowTasks, 1, body);
        else body.run(0, slabs * rowTasks);
    }

    /**
     * out[o + j] = sum over k of inp[in + k] * w(g*W + j, k), for j below n (the group's channels within
     * OC): the one-token kernel, accumulating as Gemm does.
     */
    abstract void dotGroup(int g, float[] inp, int in, float[] out, int o, int n);

    /**
     * Group g's rows k0..k0+kc-1 as two Gemm panels at tile[at]: tile[at + k*NR + j] holds the group's
     * channel j, tile[at + kc*NR + k*NR + j] its channel NR + j.
     */
    abstract void decode(int g, int k0, int kc, float[] tile, int at);

    /** The running sum r after the K block from k0, whose chain is a, as Gemm adds blocks: the first is the sum. */
    static FloatVector addBlock(FloatVector r, FloatVector a, int k0) {
        return k0 == 0 ? a : a.add(r);
    }

    /** Stores a group's four result vectors, the first n lanes of them in order. */
    static void store(FloatVector r0, FloatVector r1, FloatVector r2, FloatVector r3, float[] out, int o, int n) {
        if (n == W) {
            r0.intoArray(out, o);
            r1.intoArray(out, o + L);
            r2.intoArray(out, o + 2 * L);
            r3.intoArray(out, o + 3 * L);
        } else {
            r0.intoArray(out, o, S.indexInRange(0, n));
            r1.intoArray(out, o + L, S.indexInRange(L, n));
            r2.intoArray(out, o + 2 * L, S.indexInRange(2 * L, n));
            r3.intoArray(out, o + 3 * L, S.indexInRange(3 * L, n));
        }
    }
}
