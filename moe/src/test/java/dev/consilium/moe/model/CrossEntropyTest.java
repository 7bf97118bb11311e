package dev.consilium.moe.model;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.consilium.moe.model.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

class CrossEntropyTest {
    static final int N = 4, V = 37;

    @Test
    void logProbIsLogSoftmaxAtTheTarget() {
        SplittableRandom r = new SplittableRandom(5);
        float[] logits = randn(r, N * V, 3.0), logp = new float[N], invSum = new float[N];
        int[] targets = {0, 36, 17, -1};
        float[] work = logits.clone();
        CrossEntropy.forward(logp, invSum, work, targets, N, V);
        for (int n = 0; n < 3; n++) {
            double sum = 0;
            for (int v = 0; v < V; v++) sum += Math.exp(logits[n * V + v]);
            assertEquals(logits[n * V + targets[n]] - Math.log(sum), logp[n], 1e-5);
        }
        assertEquals(0f, logp[3], "a position without target has no log-prob");
    }

    @Test
    void backwardIsWeightedSoftmaxMinusOneHot() {
        SplittableRandom r = new SplittableRandom(6);
        float[] logits = randn(r, N * V, 2.0), logp = new float[N], invSum = new float[N];
        int[] targets = {3, 0, 36, 20};
        float[] coef = {0.5f, 0f, -1.25f, 2f};
        float[] work = new float[N * V];
        java.util.function.DoubleSupplier loss = () -> {
            System.arraycopy(logits, 0, work, 0, N * V);
            CrossEntropy.forward(logp, invSum, work, targets, N, V);
            double l = 0;
            for (int n = 0; n < N; n++) l -= coef[n] * (double) logp[n];
            return l;
        };
        double[] num = numeric(logits, all(N * V), 1e-2f, loss);
        loss.getAsDouble();
        CrossEntropy.backward(work, invSum, targets, coef, N, V);
        assertGradient("dlogits", work, num, 1e-3);
        for (int v = 0; v < V; v++) assertEquals(0f, work[V + v], "weight 0 masks the row");
    }
}
