package dev.consilium.moe.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static dev.consilium.moe.model.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

class AttentionTest {
    static final int NH = 2, DN = 4, DR = 2, Q_OFF = 1;
    static final float SCALE = 0.7f;

    /** Inputs for one shape: q rows padded past the heads to exercise the stride. */
    record Case(int B, int T, int dv, float[] q, float[] kv, float[] kpe, int qStride) {
        static Case random(long seed, int B, int T, int dv) {
            SplittableRandom r = new SplittableRandom(seed);
            int N = B * T, qStride = NH * (DN + DR) + 3;
            return new Case(B, T, dv, randn(r, Q_OFF + N * qStride, 1), randn(r, N * NH * (DN + dv), 1),
                    randn(r, N * DR, 1), qStride);
        }

        float[] forward(float[] lse) {
            float[] out = new float[B * T * NH * dv];
            Attention.forward(out, lse, q, Q_OFF, qStride, kv, kpe, B, T, NH, DN, DR, dv, SCALE);
            return out;
        }
    }

    /** Textbook causal attention in double, one (sequence, head, query) at a time. */
    static double[] reference(Case c) {
        int D = DN + DR, dv = c.dv, kvS = NH * (DN + dv);
        double[] out = new double[c.B * c.T * NH * dv];
        for (int b = 0; b < c.B; b++) {
            for (int h = 0; h < NH; h++) {
                for (int i = 0; i < c.T; i++) {
                    int qi = Q_OFF + (b * c.T + i) * c.qStride + h * D;
                    double[] s = new double[i + 1];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j <= i; j++) {
                        int kj = (b * c.T + j) * kvS + h * (DN + dv);
                        double dotp = 0;
                        for (int d = 0; d < DN; d++) dotp += (double) c.q[qi + d] * c.kv[kj + d];
                        for (int d = 0; d < DR; d++) dotp += (double) c.q[qi + DN + d] * c.kpe[(b * c.T + j) * DR + d];
                        s[j] = dotp * SCALE;
                        max = Math.max(max, s[j]);
                    }
                    for (int j = 0; j <= i; j++) sum += s[j] = Math.exp(s[j] - max);
                    for (int j = 0; j <= i; j++) {
                        int vj = (b * c.T + j) * kvS + h * (DN + dv) + DN;
                        for (int e = 0; e < dv; e++) out[(b * c.T + i) * NH * dv + h * dv + e] += s[j] / sum * c.kv[vj + e];
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "T={0}, dv={1}")
    @CsvSource({"1, 3", "9, 3", "37, 9", "70, 16"})
    void forwardMatchesTextbookCausalAttention(int T, int dv) {
        Case c = Case.random(10 + T, 2, T, dv);
        float[] out = c.forward(new float[2 * NH * T]);
        double[] ref = reference(c);
        for (int i = 0; i < ref.length; i++) assertEquals(ref[i], out[i], 1e-5, "output " + i);
    }

    @ParameterizedTest(name = "T={0}, dv={1}")
    @CsvSource({"9, 3", "19, 9"})
    void backwardMatchesFiniteDifferences(int T, int dv) {
        Case c = Case.random(20 + T, 2, T, dv);
        int B = c.B, N = B * T;
        float[] lse = new float[N * NH];
        float[] dout = randn(new SplittableRandom(1), N * NH * dv, 1);
        java.util.function.DoubleSupplier loss = () -> dot(dout, c.forward(lse), 0);
        loss.getAsDouble();
        float[] dq = new float[c.q.length], dkv = new float[c.kv.length], dkpeHeads = new float[N * NH * DR];
        Attention.backward(dq, dkv, dkpeHeads, dout, c.q, Q_OFF, c.qStride, c.kv, c.kpe, lse, B, T, NH, DN, DR, dv, SCALE);
        float[] dkpe = new float[c.kpe.length];
        for (int n = 0; n < N; n++) for (int h = 0; h < NH; h++) for (int d = 0; d < DR; d++) dkpe[n * DR + d] += dkpeHeads[(n * NH + h) * DR + d];
        int[] qi = new int[N * NH * (DN + DR)];
        for (int n = 0, j = 0; n < N; n++) for (int k = 0; k < NH * (DN + DR); k++) qi[j++] = Q_OFF + n * c.qStride + k;
        assertGradient("dq", pick(dq, qi), numeric(c.q, qi, 1e-2f, loss), 1e-3);
        assertGradient("dkv", dkv, numeric(c.kv, all(c.kv.length), 1e-2f, loss), 1e-3);
        assertGradient("dkpe", dkpe, numeric(c.kpe, all(c.kpe.length), 1e-2f, loss), 1e-3);
    }

    @Test
    void aQueryNeverSeesLaterPositions() {
        Case c = Case.random(30, 1, 12, 3);
        float[] before = c.forward(new float[NH * 12]);
        for (int i = 6 * NH * (DN + 3); i < c.kv.length; i++) c.kv[i] += 5f;
        float[] after = c.forward(new float[NH * 12]);
        for (int i = 0; i < 6 * NH * 3; i++) assertEquals(before[i], after[i], "position " + i / (NH * 3));
    }
}
