package dev.consilium.moe.model;

import dev.consilium.moe.kernel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Log-softmax of logits (N, V) at the targets, and its backward, in place over the logits buffer. */
final class CrossEntropy {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private CrossEntropy() {}

    /** logp (N) = log softmax(logits[n])[targets[n]]; lse (N) kept for backward. A target < 0 gives logp 0. */
    static void forward(float[] logp, float[] lse, float[] logits, int[] targets, int N, int V) {
        Parallel.forRange(N, 8, (from, to) -> {
            int bound = S.loopBound(V);
            for (int n = from; n < to; n++) {
                int r = n * V, v = 0;
                FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (; v < bound; v += S.length()) mv = mv.max(FloatVector.fromArray(S, logits, r + v));
                float max = mv.reduceLanes(VectorOperators.MAX);
                for (; v < V; v++) max = Math.max(max, logits[r + v]);
                FloatVector sv = FloatVector.zero(S);
                for (v = 0; v < bound; v += S.length()) {
                    sv = sv.add(VecMath.exp(FloatVector.fromArray(S, logits, r + v).sub(max)));
                }
                float sum = VecMath.sum(sv);
                for (; v < V; v++) sum += (float) Math.exp(logits[r + v] - max);
                float l = max + (float) Math.log(sum);
                lse[n] = l;
                logp[n] = targets[n] >= 0 ? logits[r + targets[n]] - l : 0f;
            }
        });
    }

    /**
     * Overwrites logits (N, V) with d/dlogits of -sum_n coef[n] * logp[n]: coef[n] * (softmax - onehot(target)).
     * Rows with coef 0 become zero.
     */
    static void backward(float[] logits, float[] lse, int[] targets, float[] coef, int N, int V) {
        Parallel.forRange(N, 8, (from, to) -> {
            int bound = S.loopBound(V);
            for (int n = from; n < to; n++) {
                int r = n * V, v = 0;
                float c = coef[n], l = lse[n];
                if (c == 0f) {
                    java.util.Arrays.fill(logits, r, r + V, 0f);
                    continue;
                }
                for (; v < bound; v += S.length()) {
                    VecMath.exp(FloatVector.fromArray(S, logits, r + v).sub(l)).mul(c)
                            .intoArray(logits, r + v);
                }
                for (; v < V; v++) logits[r + v] = (float) Math.exp(logits[r + v] - l) * c;
                logits[r + targets[n]] -= c;
            }
        });
    }
}
