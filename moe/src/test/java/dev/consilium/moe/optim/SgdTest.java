package dev.consilium.moe.optim;

import dev.consilium.moe.tensor.NamedTensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SgdTest {

    @Test
    void plainSgdIsExactlyParamMinusLrTimesGrad() {
        int n = 100_003;
        float[] params = new float[n], grads = new float[n];
        var rnd = new SplittableRandom(2);
        for (int i = 0; i < n; i++) {
            params[i] = (float) rnd.nextGaussian();
            grads[i] = (float) rnd.nextGaussian();
        }
        float[] before = params.clone();
        float lr = 0.0123f;
        new Sgd(List.of(new NamedTensor("w", new int[]{n}, params, 0))).step(params, grads, lr);
        for (int i = 0; i < n; i++) {
            float expected = before[i] - lr * grads[i];
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(params[i]), "element " + i);
        }
    }

    @Test
    void momentumStartsFromTheGradientThenAccumulates() {
        float[] p = {1f, -1f}, g1 = {0.5f, 0.25f}, g2 = {-1f, 2f};
        var sgd = new Sgd(List.of(new NamedTensor("w", new int[]{2}, p, 0)), 0.9f);
        sgd.step(p, g1, 0.1f); // buf = g1
        sgd.step(p, g2, 0.1f); // buf = 0.9*g1 + g2 = (-0.55, 2.225)
        float b0 = 0.5f * 0.9f + -1f, b1 = 0.25f * 0.9f + 2f;
        assertEquals((1f - 0.1f * 0.5f) - 0.1f * b0, p[0]);
        assertEquals((-1f - 0.1f * 0.25f) - 0.1f * b1, p[1]);
    }

    @Test
    void momentumStateResumesBitIdentically() {
        float[] start = {0.3f, -0.7f, 1.1f, 2f, -3f, 0.1f, 0f, 5f, 1f, -1f};
        float[][] grads = new float[4][10];
        var rnd = new SplittableRandom(9);
        for (float[] g : grads) for (int i = 0; i < 10; i++) g[i] = (float) rnd.nextGaussian();
        float[] straight = start.clone(), resumed = start.clone();
        var a = new Sgd(AdamWTest.views(straight), 0.5f);
        for (float[] g : grads) a.step(straight, g, 0.05f);
        var b = new Sgd(AdamWTest.views(resumed), 0.5f);
        b.step(resumed, grads[0], 0.05f);
        b.step(resumed, grads[1], 0.05f);
        var c = new Sgd(AdamWTest.views(resumed), 0.5f);
        c.importState(AdamWTest.copy(b.exportState()));
        c.step(resumed, grads[2], 0.05f);
        c.step(resumed, grads[3], 0.05f);
        for (int i = 0; i < 10; i++) assertEquals(Float.floatToRawIntBits(straight[i]), Float.floatToRawIntBits(resumed[i]));
        assertEquals(4, c.steps());
    }
}
