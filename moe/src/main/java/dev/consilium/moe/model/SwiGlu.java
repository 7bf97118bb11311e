package dev.consilium.moe.model;

import dev.consilium.moe.kernel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SwiGLU gate: act = silu(g) * u with silu(g) = g * sigmoid(g). gate_proj and up_proj are stored next to
 * each other, so one matmul yields rows of gu (n, 2I) = [g (I) | u (I)].
 */
public final class SwiGlu {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    private SwiGlu() {}

    /** act (n, I) at actOff = silu(g) * u from gu (n, 2I) at guOff. */
    public static void forward(float[] act, int actOff, float[] gu, int guOff, int n, int I) {
        Parallel.forRange(n, Math.max(1, 8192 / I), (from, to) -> {
            int bound = S.loopBound(I);
            for (int r = from; r < to; r++) {
                int g = guOff + r * 2 * I, u = g + I, a = actOff + r * I;
                int c = 0;
                for (; c < bound; c += S.length()) {
                    FloatVector gv = FloatVector.fromArray(S, gu, g + c);
                    FloatVector sig = ONE.div(VecMath.exp(gv.neg()).add(1f));
                    gv.mul(sig).mul(FloatVector.fromArray(S, gu, u + c)).intoArray(act, a + c);
                }
                for (; c < I; c++) {
                    float gv = gu[g + c];
                    float sig = 1f / (1f + (float) Math.exp(-gv));
                    act[a + c] = gv * sig * gu[u + c];
                }
            }
        });
    }

    /** Overwrites dgu (n, 2I) at dguOff with d/dg and d/du given dact (n, I); gu as in forward. */
    static void backward(float[] dgu, int dguOff, float[] dact, int dactOff, float[] gu, int guOff, int n, int I) {
        Parallel.forRange(n, Math.max(1, 8192 / I), (from, to) -> {
            int bound = S.loopBound(I);
            for (int r = from; r < to; r++) {
                int g = guOff + r * 2 * I, u = g + I, a = dactOff + r * I;
                int dg = dguOff + r * 2 * I, du = dg + I;
                int c = 0;
                for (; c < bound; c += S.length()) {
                    FloatVector gv = FloatVector.fromArray(S, gu, g + c);
                    FloatVector uv = FloatVector.fromArray(S, gu, u + c);
                    FloatVector da = FloatVector.fromArray(S, dact, a + c);
                    FloatVector sig = ONE.div(VecMath.exp(gv.neg()).add(1f));
                    FloatVector silu = gv.mul(sig);
                    // silu'(g) = sig * (1 + g * (1 - sig))
                    FloatVector dsilu = sig.mul(gv.mul(sig.neg().add(1f)).add(1f));
                    da.mul(uv).mul(dsilu).intoArray(dgu, dg + c);
                    da.mul(silu).intoArray(dgu, du + c);
                }
                for (; c < I; c++) {
                    float gv = gu[g + c], uv = gu[u + c], da = dact[a + c];
                    float sig = 1f / (1f + (float) Math.exp(-gv));
                    dgu[dg + c] = da * uv * sig * (1f + gv * (1f - sig));
                    dgu[du + c] = da * gv * sig;
                }
            }
        });
    }
}
