package dev.consilium.moe.model;

import dev.consilium.moe.kernel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Log-softmax of logits (N, V) at the targets, and its backward. The logits buffer is reused in place: the
 * forward leaves e = exp(logit - max) in it (the exponentials it had to compute anyway), so the backward is
 * one scaling pass instead of a second round of exponentials over N * V values.
 */
final class CrossEntropy {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private CrossEntropy() {}

    /**
     * logp (N) = log softmax(logits[n])[targets[n]] (0 where target < 0); logits (N, V) is overwritten with
     * exp(logit - max) and invSum (N) = 1 / sum of them, for backward.
     */
    static void forward(float[] logp, float[] invSum, float[] logits, int[] targets, int N, int V) {
        Parallel.forRange(N, 8, (from, to) -> {
            int bound = S.loopBound(V);
            for (int n = from; n < to; n++) {
                int r = n * V, v = 0;
                FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (; v < bound; v += S.length()) mv = mv.max(FloatVector.fromArray(S, logits, r + v));
                float max = mv.reduceLanes(VectorOperators.MAX);
                for (; v < V; v++) max = Math.max(max, logits[r + v]);
                float target = targets[n] >= 0 ? logits[r + targets[n]] : 0f;
                FloatVector sv = FloatVector.zero(S);
                for (v = 0; v < bound; v += S.length()) {
                    FloatVector e = VecMath.exp(FloatVector.fromArray(S, logits, r + v).sub(max));
                    e.intoArray(logits, r + v);
                    sv = sv.add(e);
                }
                float sum = VecMath.sum(sv);
                for (; v < V; v++) {
                    float e = (float) Math.exp(logits[r + v] - max);
                    logits[r + v] = e;
                    sum += e;
                }
                invSum[n] = 1f / sum;
                logp[n] = targets[n] >= 0 ? target - max - (float) Math.log(sum) : 0f;
            }
        });
    }

    /**
     * Turns the forward's exponentials (N, V) into d/dlogits of -sum_n coef[n] * logp[n]:
     * coef[n] * (softmax - onehot(target)). Rows with coef 0 become zero.
     */
    static void backward(float[] exps, float[] invSum, int[] targets, float[] coef, int N, int V) {
        Parallel.forRange(N, 8, (from, to) -> {
            int bound = S.loopBound(V);
            for (int n = from; n < to; n++) {
                int r = n * V, v = 0;
                float c = coef[n];
                if (c == 0f) {
                    Arrays.fill(exps, r, r + V, 0f);
                    continue;
                }
                FloatVector k = FloatVector.broadcast(S, c * invSum[n]);
                for (; v < bound; v += S.length()) FloatVector.fromArray(S, exps, r + v).mul(k).intoArray(exps, r + v);
                for (; v < V; v++) exps[r + v] *= c * invSum[n];
                exps[r + targets[n]] -= c;
            }
        });
    }
}
