package dev.consilium.moe.optim;

import dev.consilium.moe.tensor.NamedTensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdamWTest {

    @Test
    void oneWeightFollowsTheHandComputedTwoSteps() {
        // p=1, b1=0.9, b2=0.95, no decay, lr=0.1.
        // Step 1, g=0.5:   m=0.05, v=0.0125; m^=0.5, v^=0.25;            p = 1 - 0.1*0.5/0.5       = 0.9
        // Step 2, g=-0.25: m=0.045-0.025=0.02, v=0.011875+0.003125=0.015;
        //                  m^=0.02/0.19=0.1052632, v^=0.015/0.0975=0.1538462, sqrt=0.3922323;
        //                  p = 0.9 - 0.1*0.1052632/0.3922323 = 0.8731630
        float[] p = {1f}, g = {0.5f};
        var adam = AdamW.builder(List.of(new NamedTensor("w", new int[]{1, 1}, p, 0))).weightDecay(0f).build();
        adam.step(p, g, 0.1f);
        assertEquals(0.9f, p[0], 1e-6f);
        g[0] = -0.25f;
        adam.step(p, g, 0.1f);
        assertEquals(0.8731630f, p[0], 1e-6f);
        assertEquals(2, adam.steps());
    }

    /** Textbook AdamW in double, with the float hyperparameters widened. */
    private static void referenceStep(double[] p, double[] m, double[] v, float[] g, boolean[] decay, int t, double lr,
                                      float b1, float b2, float eps, float wd) {
        for (int i = 0; i < p.length; i++) {
            if (decay[i]) p[i] *= 1 - lr * wd;
            m[i] = b1 * m[i] + (1 - (double) b1) * g[i];
            v[i] = b2 * v[i] + (1 - (double) b2) * g[i] * g[i];
            double mHat = m[i] / (1 - Math.pow(b1, t)), vHat = v[i] / (1 - Math.pow(b2, t));
            p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
        }
    }

    @Test
    void twoStepsMatchADoubleReferenceWithDecayOnlyOnMatrices() {
        // Layout: a (2,3) matrix, a (3) norm weight, a (2,2) matrix; 13 floats.
        float[] params = new float[13], grads = new float[13];
        var rnd = new SplittableRandom(3);
        for (int i = 0; i < 13; i++) params[i] = (float) rnd.nextGaussian();
        List<NamedTensor> views = List.of(new NamedTensor("model.layers.0.mlp.up_proj.weight", new int[]{2, 3}, params, 0),
                new NamedTensor("model.layers.0.input_layernorm.weight", new int[]{3}, params, 6),
                new NamedTensor("lm_head.weight", new int[]{2, 2}, params, 9));
        boolean[] decay = new boolean[13];
        for (int i = 0; i < 13; i++) decay[i] = i < 6 || i >= 9;
        var adam = AdamW.builder(views).beta1(0.8f).beta2(0.99f).eps(1e-6f).weightDecay(0.5f).build();
        double[] p = new double[13], m = new double[13], v = new double[13];
        for (int i = 0; i < 13; i++) p[i] = params[i];
        float[] lrs = {0.05f, 0.02f};
        for (int t = 1; t <= 2; t++) {
            for (int i = 0; i < 13; i++) grads[i] = (float) rnd.nextGaussian();
            adam.step(params, grads, lrs[t - 1]);
            referenceStep(p, m, v, grads, decay, t, lrs[t - 1], 0.8f, 0.99f, 1e-6f, 0.5f);
        }
        for (int i = 0; i < 13; i++) assertEquals(p[i], params[i], 2e-6 * Math.max(1, Math.abs(p[i])), "element " + i);
    }

    @Test
    void weightDecayLeavesOneDimensionalTensorsAlone() {
        float[] params = {1f, 2f, 3f, 4f, 5f, 6f};
        List<NamedTensor> views = List.of(new NamedTensor("model.norm.weight", new int[]{2}, params, 0),
                new NamedTensor("model.embed_tokens.weight", new int[]{2, 2}, params, 2));
        var adam = AdamW.builder(views).weightDecay(0.1f).build();
        adam.step(params, new float[6], 0.5f); // zero gradients: only decay can move a weight
        float f = (float) (1 - 0.5 * (double) 0.1f);
        assertEquals(List.of(1f, 2f, 3f * f, 4f * f, 5f * f, 6f * f),
                List.of(params[0], params[1], params[2], params[3], params[4], params[5]));
        assertTrue(AdamW.decays(views.get(1)));
    }

    /** The same float operations as AdamW, one element at a time: the kernel must equal it bit for bit. */
    private static void scalarStep(float[] p, float[] m, float[] v, float[] g, int t, float lr, boolean decay) {
        float b1 = 0.9f, b2 = 0.95f, eps = 1e-8f, wd = 0.1f;
        float stepSize = (float) (lr / (1 - Math.pow(b1, t)));
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(b2, t));
        float d = (float) (1 - (double) lr * wd);
        for (int i = 0; i < p.length; i++) {
            m[i] = m[i] * b1 + g[i] * (1f - b1);
            v[i] = v[i] * b2 + g[i] * g[i] * (1f - b2);
            float pi = decay ? p[i] * d : p[i];
            p[i] = pi - m[i] / ((float) Math.sqrt(v[i]) / bc2Sqrt + eps) * stepSize;
        }
    }

    @Test
    void vectorizedParallelUpdateEqualsTheScalarLoopBitForBit() {
        int n = 100_003; // several parallel chunks and a ragged vector tail
        float[] params = new float[n], grads = new float[n];
        var rnd = new SplittableRandom(5);
        for (int i = 0; i < n; i++) params[i] = (float) rnd.nextGaussian();
        float[] p = params.clone(), m = new float[n], v = new float[n];
        var adam = AdamW.builder(List.of(new NamedTensor("w", new int[]{1, n}, params, 0))).build();
        for (int t = 1; t <= 3; t++) {
            for (int i = 0; i < n; i++) grads[i] = (float) rnd.nextGaussian();
            adam.step(params, grads, 1e-3f * t);
            scalarStep(p, m, v, grads, t, 1e-3f * t, true);
        }
        for (int i = 0; i < n; i++) assertEquals(Float.floatToRawIntBits(p[i]), Float.floatToRawIntBits(params[i]), "element " + i);
    }

    @Test
    void exportedStateResumesBitIdentically() {
        int n = 10;
        var rnd = new SplittableRandom(11);
        float[] start = new float[n];
        for (int i = 0; i < n; i++) start[i] = (float) rnd.nextGaussian();
        float[][] grads = new float[5][n];
        for (float[] g : grads) for (int i = 0; i < n; i++) g[i] = (float) rnd.nextGaussian();

        float[] straight = start.clone();
        var a = AdamW.builder(views(straight)).build();
        for (int s = 0; s < 5; s++) a.step(straight, grads[s], 0.01f);

        float[] resumed = start.clone();
        var b = AdamW.builder(views(resumed)).build();
        for (int s = 0; s < 3; s++) b.step(resumed, grads[s], 0.01f);
        OptimizerState saved = copy(b.exportState());
        var c = AdamW.builder(views(resumed)).build();
        c.importState(saved);
        assertEquals(3, c.steps());
        for (int s = 3; s < 5; s++) c.step(resumed, grads[s], 0.01f);

        for (int i = 0; i < n; i++) assertEquals(Float.floatToRawIntBits(straight[i]), Float.floatToRawIntBits(resumed[i]));
    }

    @Test
    void elementsOutsideTheNamedViewsAreNotUpdated() {
        float[] params = {1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f}, grads = new float[12];
        java.util.Arrays.fill(grads, 1f);
        // a (2,3) at 0, a gap of 2 (alignment padding), b (4) at 8
        var adam = AdamW.builder(List.of(new NamedTensor("a", new int[]{2, 3}, params, 0),
                new NamedTensor("b", new int[]{4}, params, 8))).build();
        adam.step(params, grads, 0.1f);
        assertEquals(1f, params[6]);
        assertEquals(1f, params[7]);
        assertTrue(params[5] < 1f && params[8] < 1f);
    }

    @Test
    void stateOfAnotherModelOrOptimizerIsRefused() {
        float[] params = new float[10];
        var adam = AdamW.builder(views(params)).build();
        var other = AdamW.builder(List.of(new NamedTensor("a", new int[]{2, 2}, new float[10], 0))).build();
        var e = assertThrows(IllegalArgumentException.class, () -> adam.importState(other.exportState()));
        assertTrue(e.getMessage().contains("'a.exp_avg' has shape [2, 2], expected [2, 3]"), e.getMessage());
        assertTrue(e.getMessage().contains("missing 'b.exp_avg' [4]"), e.getMessage());
        var sgd = new Sgd(views(params), 0.9f);
        e = assertThrows(IllegalArgumentException.class, () -> adam.importState(sgd.exportState()));
        assertTrue(e.getMessage().contains("is for 'sgd', not 'adamw'"), e.getMessage());
    }

    /** a (2,3) matrix and b (4) vector over 10 floats. */
    static List<NamedTensor> views(float[] buffer) {
        return List.of(new NamedTensor("a", new int[]{2, 3}, buffer, 0), new NamedTensor("b", new int[]{4}, buffer, 6));
    }

    /** What a save and load would give: the same tensors over fresh arrays. */
    static OptimizerState copy(OptimizerState s) {
        List<NamedTensor> ts = new ArrayList<>();
        for (NamedTensor t : s.tensors()) {
            float[] d = new float[t.size()];
            System.arraycopy(t.data(), t.offset(), d, 0, d.length);
            ts.add(new NamedTensor(t.name(), t.shape(), d, 0));
        }
        return new OptimizerState(s.kind(), s.step(), ts);
    }
}
