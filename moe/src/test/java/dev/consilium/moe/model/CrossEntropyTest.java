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
        float[] logits = randn(r, N * V, 3.0), logp = new float[N], lse = new float[N];
        int[] targets = {0, 36, 17, -1};
        CrossEntropy.forward(logp, lse, logits, targets, N, V);
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
        float[] logits = randn(r, N * V, 2.0), logp = new float[N], lse = new float[N];
        int[] targets = {3, 0, 36, 20};
        float[] coef = {0.5f, 0f, -1.25f, 2f};
        java.util.function.DoubleSupplier loss = () -> {
            CrossEntropy.forward(logp, lse, logits, targets, N, V);
            double l = 0;
            for (int n = 0; n < N; n++) l -= coef[n] * (double) logp[n];
            return l;
        };
        double[] num = numeric(logits, all(N * V), 1e-2f, loss);
        loss.getAsDouble();
        float[] d = logits.clone();
        CrossEntropy.backward(d, lse, targets, coef, N, V);
        assertGradient("dlogits", d, num, 1e-3);
        for (int v = 0; v < V; v++) assertEquals(0f, d[V + v], "weight 0 masks the row");
    }
}
