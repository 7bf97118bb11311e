package dev.consilium.moe.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorized loops over one row of a flat float buffer: the element-wise pieces of attention, norms and
 * activations. Each result depends only on its inputs and n (a fixed lane order, then a fixed reduction),
 * never on the thread that runs it. exp comes from the Vector API's EXP, which may differ from
 * {@link Math#exp} in the last place.
 */
public final class Vectors {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private Vectors() {}

    /** sum over i < n of a[aOff + i] * b[bOff + i]. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
        int i = 0;
        // Two accumulators hide the FMA latency; their sum is part of the fixed order.
        for (; i + 2 * L <= n; i += 2 * L) {
            acc0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(S, a, aOff + i + L).fma(FloatVector.fromArray(S, b, bOff + i + L), acc1);
        }
        for (; i + L <= n; i += L) {
            acc0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += a[aOff + i] * b[bOff + i];
        return sum;
    }

    /** y[yOff + i] += alpha * x[xOff + i] for i < n. */
    public static void axpy(float[] y, int yOff, float alpha, float[] x, int xOff, int n) {
        FloatVector a = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, x, xOff + i).fma(a, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
    }

    /** x[off + i] *= s for i < n. */
    public static void scale(float[] x, int off, int n, float s) {
        int i = 0;
        for (; i + L <= n; i += L) FloatVector.fromArray(S, x, off + i).mul(s).intoArray(x, off + i);
        for (; i < n; i++) x[off + i] *= s;
    }

    /**
     * Softmax of x[off, off + n) in place, shifted by the row's maximum so no exp overflows. Entries of
     * -infinity (masked positions) become 0; the row needs at least one finite entry.
     */
    public static void softmax(float[] x, int off, int n) {
        if (n <= 0) return;
        float max = max(x, off, n);
        FloatVector vmax = FloatVector.broadcast(S, max);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector e = FloatVector.fromArray(S, x, off + i).sub(vmax).lanewise(VectorOperators.EXP);
            e.intoArray(x, off + i);
            acc = acc.add(e);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        scale(x, off, n, 1f / sum);
    }

    /** The largest of x[off, off + n); n must be positive. */
    public static float max(float[] x, int off, int n) {
        int i = 0;
        float m = Float.NEGATIVE_INFINITY;
        if (n >= L) {
            FloatVector vm = FloatVector.fromArray(S, x, off);
            for (i = L; i + L <= n; i += L) vm = vm.max(FloatVector.fromArray(S, x, off + i));
            m = vm.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) m = Math.max(m, x[off + i]);
        return m;
    }

    /** out[outOff + i] = silu(x[xOff + i]) = x / (1 + exp(-x)) for i < n; out may be x. */
    public static void silu(float[] out, int outOff, float[] x, int xOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            v.div(v.neg().lanewise(VectorOperators.EXP).add(1f)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            float v = x[xOff + i];
            out[outOff + i] = v / (1f + (float) Math.exp(-v));
        }
    }
}
