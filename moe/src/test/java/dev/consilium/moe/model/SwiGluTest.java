package dev.consilium.moe.model;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.consilium.moe.model.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SwiGluTest {
    static final int N = 4, I = 13;

    @Test
    void forwardIsSiluOfGateTimesUp() {
        SplittableRandom r = new SplittableRandom(3);
        float[] gu = randn(r, N * 2 * I, 2.0), act = new float[N * I];
        SwiGlu.forward(act, 0, gu, 0, N, I);
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < I; c++) {
                double g = gu[n * 2 * I + c], u = gu[n * 2 * I + I + c];
                assertEquals(g / (1 + Math.exp(-g)) * u, act[n * I + c], 1e-5);
            }
        }
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(4);
        float[] gu = randn(r, N * 2 * I, 2.0), act = new float[N * I], dact = randn(r, N * I, 1.0);
        float[] dgu = new float[N * 2 * I];
        SwiGlu.backward(dgu, 0, dact, 0, gu, 0, N, I);
        double[] num = numeric(gu, all(gu.length), 1e-2f, () -> {
            SwiGlu.forward(act, 0, gu, 0, N, I);
            return dot(dact, act, 0);
        });
        assertGradient("dgu", dgu, num, 1e-3);
    }
}
