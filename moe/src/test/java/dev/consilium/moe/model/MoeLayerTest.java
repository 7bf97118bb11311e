package dev.consilium.moe.model;

import dev.consilium.moe.config.ModelConfig;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.consilium.moe.model.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

class MoeLayerTest {
    static final int B = 2, T = 5, N = B * T;

    final ModelConfig config = TestConfigs.tiny(true, 0, false);
    final FlatLayout layout = new FlatLayout(), bufferLayout = new FlatLayout();
    final MoeLayer moe = new MoeLayer(layout, bufferLayout, "model.layers.1.mlp.", config);
    final int H = config.hiddenSize(), E = moe.E, K = moe.K, I = moe.I;
    final float[] P = new float[layout.size()], buffers = new float[bufferLayout.size()];
    final SplittableRandom r = new SplittableRandom(11);
    final float[] x = randn(r, N * H, 1);

    MoeLayerTest() {
        layout.initialize(P, 12, 0.3f);
        for (int e = 0; e < E; e++) buffers[moe.bias + e] = (float) r.nextGaussian() * 0.1f;
        moe.allocate(N);
    }

    static double silu(double g) {
        return g / (1 + Math.exp(-g));
    }

    /** One SwiGLU in double for a single row: down(silu(gate x) * up x), weights at w. */
    double[] swiglu(int w, int width, float[] in, int off) {
        double[] h = new double[width];
        for (int i = 0; i < width; i++) {
            double g = 0, u = 0;
            for (int c = 0; c < H; c++) {
                g += (double) P[w + i * H + c] * in[off + c];
                u += (double) P[w + width * H + i * H + c] * in[off + c];
            }
            h[i] = silu(g) * u;
        }
        double[] out = new double[H];
        int down = w + 2 * width * H;
        for (int c = 0; c < H; c++) for (int i = 0; i < width; i++) out[c] += P[down + c * width + i] * h[i];
        return out;
    }

    @Test
    void groupedExpertsEqualPerTokenEvaluation() {
        float[] out = new float[N * H];
        moe.forward(P, buffers, x, out, B, T, true);
        int[] sel = moe.selection();
        for (int t = 0; t < N; t++) {
            double[] s = new double[E];
            double sum = 0;
            for (int k = 0; k < K; k++) {
                int e = sel[t * K + k];
                double logit = 0;
                for (int c = 0; c < H; c++) logit += (double) P[moe.gate + e * H + c] * x[t * H + c];
                s[k] = 1 / (1 + Math.exp(-logit));
                sum += s[k];
            }
            double[] ref = swiglu(moe.shared.w, moe.shared.I, x, t * H);
            for (int k = 0; k < K; k++) {
                double[] y = swiglu(moe.experts + sel[t * K + k] * 3 * I * H, I, x, t * H);
                for (int c = 0; c < H; c++) ref[c] += s[k] / sum * config.routedScalingFactor() * y[c];
            }
            for (int c = 0; c < H; c++) assertEquals(ref[c], out[t * H + c], 1e-4, "token " + t + " channel " + c);
        }
        long routed = 0;
        for (long l : moe.load) routed += l;
        assertEquals(N * K, routed, "a training forward counts every (token, slot)");
    }

    @Test
    void backwardWithRoutingHeldMatchesFiniteDifferences() {
        float alpha = 0.5f;
        float[] out = new float[N * H], dout = randn(r, N * H, 1);
        moe.forward(P, buffers, x, out, B, T, true);
        moe.holdRouting = true;
        java.util.function.DoubleSupplier loss = () -> {
            moe.forward(P, buffers, x, out, B, T, true);
            return dot(dout, out, 0) + alpha * moe.balanceLoss();
        };
        loss.getAsDouble();
        float[] G = new float[P.length], dx = new float[N * H];
        moe.backward(P, G, dout, x, dx, B, T, alpha, new BackwardScratch());
        assertGradient("dx", dx, numeric(x, all(N * H), 1e-2f, loss), 2e-3);
        int[] gate = sample(r, moe.gate, E * H, 60);
        assertGradient("d gate.weight", pick(G, gate), numeric(P, gate, 1e-2f, loss), 2e-3);
        int used = moe.selection()[0];
        int[] expert = sample(r, moe.experts + used * 3 * I * H, 3 * I * H, 80);
        assertGradient("d experts." + used, pick(G, expert), numeric(P, expert, 1e-2f, loss), 2e-3);
        int[] shared = sample(r, moe.shared.w, 3 * moe.shared.I * H, 80);
        assertGradient("d shared_experts", pick(G, shared), numeric(P, shared, 1e-2f, loss), 2e-3);
    }
}
