package dev.consilium.moe.model;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.tensor.NamedTensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.SplittableRandom;

import static dev.consilium.moe.model.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

class MlaTest {
    static final int B = 2, T = 6, N = B * T;

    @ParameterizedTest(name = "q_lora={0}")
    @ValueSource(booleans = {true, false})
    void backwardMatchesFiniteDifferencesForEveryWeight(boolean qLora) {
        ModelConfig c = TestConfigs.tiny(qLora, 0, true);
        FlatLayout layout = new FlatLayout();
        Rope rope = new Rope(c);
        rope.ensure(T);
        Mla mla = new Mla(layout, "self_attn.", c, rope);
        mla.allocate(N);
        int H = c.hiddenSize();
        float[] P = new float[layout.size()];
        layout.initialize(P, 13, 0.4f);
        SplittableRandom r = new SplittableRandom(14);
        // RMSNorm gains away from 1 so their gradients are checked at a generic point
        for (NamedTensor t : layout.views(P)) {
            if (t.shape().length == 1) for (int i = 0; i < t.size(); i++) P[t.offset() + i] = 1f + (float) r.nextGaussian() * 0.3f;
        }
        float[] x = randn(r, N * H, 1), out = new float[N * H], dout = randn(r, N * H, 1);
        java.util.function.DoubleSupplier loss = () -> {
            mla.forward(P, x, out, B, T);
            return dot(dout, out, 0);
        };
        loss.getAsDouble();
        float[] G = new float[P.length], dx = new float[N * H];
        mla.backward(P, G, dout, x, dx, B, T, new BackwardScratch());
        assertGradient("dx", dx, numeric(x, all(N * H), 1e-2f, loss), 2e-3);
        List<NamedTensor> tensors = layout.views(P);
        assertEquals(qLora ? 7 : 5, tensors.size());
        for (NamedTensor t : tensors) {
            int[] idx = sample(r, t.offset(), t.size(), 40);
            assertGradient("d" + t.name(), pick(G, idx), numeric(P, idx, 1e-2f, loss), 2e-3);
        }
    }
}
