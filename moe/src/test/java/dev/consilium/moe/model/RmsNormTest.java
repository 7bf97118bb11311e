package dev.consilium.moe.model;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.consilium.moe.model.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

class RmsNormTest {
    // 19 channels: vector lanes and a scalar tail; rows read and written through strides and offsets
    static final int N = 5, C = 19, X_OFF = 3, X_STRIDE = 23, Y_OFF = 1, Y_STRIDE = 21;
    static final float EPS = 1e-6f;

    @Test
    void forwardMatchesTheDefinition() {
        SplittableRandom r = new SplittableRandom(1);
        float[] x = randn(r, X_OFF + N * X_STRIDE, 1.5), w = randn(r, C, 1.0);
        float[] y = new float[Y_OFF + N * Y_STRIDE], rstd = new float[N];
        RmsNorm.forward(y, Y_OFF, Y_STRIDE, x, X_OFF, X_STRIDE, w, 0, rstd, 0, N, C, EPS);
        for (int n = 0; n < N; n++) {
            double ss = 0;
            for (int c = 0; c < C; c++) ss += (double) x[X_OFF + n * X_STRIDE + c] * x[X_OFF + n * X_STRIDE + c];
            double rs = 1 / Math.sqrt(ss / C + EPS);
            for (int c = 0; c < C; c++) {
                assertEquals(x[X_OFF + n * X_STRIDE + c] * rs * w[c], y[Y_OFF + n * Y_STRIDE + c], 1e-5);
            }
        }
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(2);
        float[] x = randn(r, X_OFF + N * X_STRIDE, 1.0), w = randn(r, C, 1.0);
        float[] dyDense = randn(r, N * C, 1.0);
        float[] y = new float[Y_OFF + N * Y_STRIDE], rstd = new float[N];
        float[] dy = new float[Y_OFF + N * Y_STRIDE];
        for (int n = 0; n < N; n++) System.arraycopy(dyDense, n * C, dy, Y_OFF + n * Y_STRIDE, C);
        java.util.function.DoubleSupplier loss = () -> {
            RmsNorm.forward(y, Y_OFF, Y_STRIDE, x, X_OFF, X_STRIDE, w, 0, rstd, 0, N, C, EPS);
            return dot(dy, y, 0);
        };
        loss.getAsDouble();
        float[] dx = new float[x.length], dw = new float[C];
        RmsNorm.backward(dx, X_OFF, X_STRIDE, dw, 0, dy, Y_OFF, Y_STRIDE, x, X_OFF, X_STRIDE, w, 0, rstd, 0, N, C);
        int[] xi = new int[N * C];
        for (int n = 0; n < N; n++) for (int c = 0; c < C; c++) xi[n * C + c] = X_OFF + n * X_STRIDE + c;
        assertGradient("dx", pick(dx, xi), numeric(x, xi, 1e-2f, loss), 1e-3);
        assertGradient("dw", dw, numeric(w, all(C), 1e-2f, loss), 1e-3);
    }
}
