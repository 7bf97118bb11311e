package dev.consilium.moe.optim;

import dev.consilium.moe.kernel.Parallel;
import dev.consilium.moe.tensor.NamedTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), in PyTorch's formulation, over one flat parameter
 * buffer: fp32 moments, bias correction, and weight decay only on matrices (rank >= 2); norms, biases and
 * other 1-D tensors are not decayed. Only elements inside the named views are updated. Per element, at step t:
 * <pre>
 *   p = p * (1 - lr*wd)                         decayed tensors only
 *   m = b1*m + (1-b1)*g
 *   v = b2*v + (1-b2)*g*g
 *   p = p - lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
 * </pre>
 * The vector body and the scalar tail do the same float operations in the same order, so an element's result
 * does not depend on where it falls in a chunk: updates are bit-identical for any thread count.
 */
public final class AdamW implements Optimizer {
    public static final String KIND = "adamw";

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int GRAIN = 1 << 15;

    private final List<NamedTensor> params;
    private final Segments segments;
    private final float beta1, beta2, eps, weightDecay;
    private final float[] m, v;
    private long t;

    private AdamW(Builder b) {
        this.params = List.copyOf(b.params);
        this.segments = Segments.of(params, AdamW::decays);
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.eps = b.eps;
        this.weightDecay = b.weightDecay;
        this.m = new float[segments.length];
        this.v = new float[segments.length];
    }

    /** Defaults are DeepSeek-V3's: betas (0.9, 0.95), eps 1e-8, weight decay 0.1. */
    public static Builder builder(List<NamedTensor> params) {
        return new Builder(params);
    }

    /** Matrices decay; norms, biases and other 1-D tensors do not. */
    public static boolean decays(NamedTensor param) {
        return param.shape().length >= 2;
    }

    @Override
    public void step(float[] params, float[] grads, float lr) {
        int n = segments.length;
        if (params.length != n || grads.length != n) {
            throw new IllegalArgumentException("AdamW was built for a buffer of " + n + ", got params of "
                    + params.length + " and grads of " + grads.length);
        }
        t++;
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        float stepSize = (float) (lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float decay = (float) (1 - (double) lr * weightDecay);
        Parallel.forRange(n, GRAIN, (lo, hi) -> segments.forRange(lo, hi,
                (from, to, decayed) -> update(params, grads, from, to, stepSize, bc2Sqrt, decay, decayed)));
    }

    private void update(float[] p, float[] g, int from, int to, float stepSize, float bc2Sqrt, float decay,
                        boolean decayed) {
        float b1 = beta1, omb1 = 1f - beta1, b2 = beta2, omb2 = 1f - beta2, e = eps;
        int i = from;
        int upper = from + S.loopBound(to - from);
        for (; i < upper; i += S.length()) {
            FloatVector gv = FloatVector.fromArray(S, g, i);
            FloatVector mv = FloatVector.fromArray(S, m, i).mul(b1).add(gv.mul(omb1));
            FloatVector vv = FloatVector.fromArray(S, v, i).mul(b2).add(gv.mul(gv).mul(omb2));
            FloatVector pv = FloatVector.fromArray(S, p, i);
            if (decayed) pv = pv.mul(decay);
            FloatVector denom = vv.sqrt().div(bc2Sqrt).add(e);
            pv.sub(mv.div(denom).mul(stepSize)).intoArray(p, i);
            mv.intoArray(m, i);
            vv.intoArray(v, i);
        }
        for (; i < to; i++) {
            float gi = g[i];
            float mi = m[i] * b1 + gi * omb1;
            float vi = v[i] * b2 + gi * gi * omb2;
            float pi = decayed ? p[i] * decay : p[i];
            float denom = (float) Math.sqrt(vi) / bc2Sqrt + e;
            p[i] = pi - mi / denom * stepSize;
            m[i] = mi;
            v[i] = vi;
        }
    }

    @Override
    public long steps() {
        return t;
    }

    /** {@code <name>.exp_avg} and {@code <name>.exp_avg_sq} per parameter, as PyTorch names them. */
    @Override
    public OptimizerState exportState() {
        return new OptimizerState(KIND, t, stateViews());
    }

    @Override
    public void importState(OptimizerState state) {
        state.copyInto(KIND, stateViews());
        t = state.step();
    }

    private List<NamedTensor> stateViews() {
        List<NamedTensor> out = new ArrayList<>(2 * params.size());
        for (NamedTensor p : params) {
            out.add(new NamedTensor(p.name() + ".exp_avg", p.shape(), m, p.offset()));
            out.add(new NamedTensor(p.name() + ".exp_avg_sq", p.shape(), v, p.offset()));
        }
        return out;
    }

    public static final class Builder {
        private final List<NamedTensor> params;
        private float beta1 = 0.9f, beta2 = 0.95f, eps = 1e-8f, weightDecay = 0.1f;

        private Builder(List<NamedTensor> params) {
            this.params = params;
        }

        public Builder beta1(float beta1) {
            this.beta1 = check("beta1", beta1, beta1 >= 0 && beta1 < 1);
            return this;
        }

        public Builder beta2(float beta2) {
            this.beta2 = check("beta2", beta2, beta2 >= 0 && beta2 < 1);
            return this;
        }

        public Builder eps(float eps) {
            this.eps = check("eps", eps, eps > 0);
            return this;
        }

        public Builder weightDecay(float weightDecay) {
            this.weightDecay = check("weightDecay", weightDecay, weightDecay >= 0);
            return this;
        }

        public AdamW build() {
            return new AdamW(this);
        }

        private static float check(String name, float value, boolean ok) {
            if (!ok || Float.isNaN(value)) throw new IllegalArgumentException("AdamW " + name + " out of range: " + value);
            return value;
        }
    }
}
