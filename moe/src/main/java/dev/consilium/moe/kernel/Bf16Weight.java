package dev.consilium.moe.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight w (OC, C) held as bfloat16, half the bytes of fp32. A bfloat16 is the top half of a float, so
 * widening is exact: the outputs equal {@link Matmul#forward} on the widened matrix bit for bit.
 *
 * <p>Layout (see {@link NarrowWeight}): for group g and row k, two int vectors at
 * {@code bits[(g*C + k) * 2L]}; lane i of the first packs channel i in its low half and channel L+i in its
 * high half, the second channels 2L+i and 3L+i. Widening is then a shift or a mask per vector, no lane
 * shuffles, which keeps the one-token kernel memory bound.
 */
public final class Bf16Weight extends NarrowWeight {
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);
    private static final int HIGH = 0xFFFF0000;

    private final int[] bits;

    private Bf16Weight(int[] bits, int C, int OC) {
        super(C, OC);
        this.bits = bits;
    }

    /** Packs w (OC, C), row-major bfloat16 bits from {@code off}, as a checkpoint stores it. A copy. */
    public static Bf16Weight pack(short[] w, int off, int C, int OC) {
        int[] bits = new int[groupedSize(C, OC, 2)];
        for (int oc = 0; oc < OC; oc++) {
            int g = oc / W, j = oc % W;
            // channel j sits in vector j / 2L, lane j % L, low half for the first L of each 2L
            int lane = (j / (2 * L)) * L + j % L, shift = (j % (2 * L)) / L * 16;
            int src = off + oc * C;
            for (int k = 0; k < C; k++) bits[(g * C + k) * 2 * L + lane] |= (w[src + k] & 0xFFFF) << shift;
        }
        return new Bf16Weight(bits, C, OC);
    }

    @Override
    public long bytes() {
        return 4L * bits.length;
    }

    @Override
    void dotGroup(int g, float[] inp, int in, float[] out, int o, int n) {
        FloatVector r0 = FloatVector.zero(S), r1 = r0, r2 = r0, r3 = r0;
        int base = g * C * 2 * L;
        for (int k0 = 0; k0 < C; k0 += Gemm.KC) {
            int kEnd = Math.min(C, k0 + Gemm.KC);
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int k = k0; k < kEnd; k++) {
                int at = base + k * 2 * L;
                IntVector v = IntVector.fromArray(I, bits, at), u = IntVector.fromArray(I, bits, at + L);
                FloatVector x = FloatVector.broadcast(S, inp[in + k]);
                a0 = v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x, a0);
                a1 = v.and(HIGH).reinterpretAsFloats().fma(x, a1);
                a2 = u.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x, a2);
                a3 = u.and(HIGH).reinterpretAsFloats().fma(x, a3);
            }
            r0 = addBlock(r0, a0, k0);
            r1 = addBlock(r1, a1, k0);
            r2 = addBlock(r2, a2, k0);
            r3 = addBlock(r3, a3, k0);
        }
        store(r0, r1, r2, r3, out, o, n);
    }

    @Override
    void decode(int g, int k0, int kc, float[] tile, int at) {
        int second = at + kc * 2 * L;
        for (int k = 0; k < kc; k++) {
            int src = (g * C + k0 + k) * 2 * L, d = k * 2 * L;
            IntVector v = IntVector.fromArray(I, bits, src), u = IntVector.fromArray(I, bits, src + L);
            v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(tile, at + d);
            v.and(HIGH).reinterpretAsFloats().intoArray(tile, at + d + L);
            u.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(tile, second + d);
            u.and(HIGH).reinterpretAsFloats().intoArray(tile, second + d + L);
        }
    }
}
