package dev.consilium.moe.optim;

import dev.consilium.moe.kernel.Parallel;
import dev.consilium.moe.tensor.NamedTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.List;

/**
 * Stochastic gradient descent. Without momentum (the default) each element is exactly {@code p = p - lr*g}
 * in float, so a run can be cross-checked bit for bit against an independent implementation. With momentum
 * mu, as PyTorch: {@code buf = g} on the first step, then {@code buf = mu*buf + g}; {@code p = p - lr*buf}.
 * Only elements inside the named views are updated.
 */
public final class Sgd implements Optimizer {
    public static final String KIND = "sgd";

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int GRAIN = 1 << 15;

    private final List<NamedTensor> params;
    private final Segments segments;
    private final float momentum;
    /** Null without momentum. */
    private final float[] buf;
    private long t;

    public Sgd(List<NamedTensor> params) {
        this(params, 0f);
    }

    public Sgd(List<NamedTensor> params, float momentum) {
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("SGD momentum must lie in [0, 1), was " + momentum);
        this.params = List.copyOf(params);
        this.segments = Segments.of(this.params, p -> false);
        this.momentum = momentum;
        this.buf = momentum == 0 ? null : new float[segments.length];
    }

    @Override
    public void step(float[] params, float[] grads, float lr) {
        int n = segments.length;
        if (params.length != n || grads.length != n) {
            throw new IllegalArgumentException("SGD was built for a buffer of " + n + ", got params of "
                    + params.length + " and grads of " + grads.length);
        }
        boolean first = t == 0;
        t++;
        if (buf == null) {
            Parallel.forRange(n, GRAIN, (lo, hi) -> segments.forRange(lo, hi,
                    (from, to, unused) -> plain(params, grads, from, to, lr)));
        } else {
            float mu = first ? 0f : momentum;
            Parallel.forRange(n, GRAIN, (lo, hi) -> segments.forRange(lo, hi,
                    (from, to, unused) -> withMomentum(params, grads, from, to, lr, mu)));
        }
    }

    private static void plain(float[] p, float[] g, int from, int to, float lr) {
        int i = from, upper = from + S.loopBound(to - from);
        for (; i < upper; i += S.length()) {
            FloatVector.fromArray(S, p, i).sub(FloatVector.fromArray(S, g, i).mul(lr)).intoArray(p, i);
        }
        for (; i < to; i++) p[i] = p[i] - lr * g[i];
    }

    /** mu = 0 on the first step makes buf = g without reading the zeros it holds. */
    private void withMomentum(float[] p, float[] g, int from, int to, float lr, float mu) {
        int i = from, upper = from + S.loopBound(to - from);
        for (; i < upper; i += S.length()) {
            FloatVector b = FloatVector.fromArray(S, buf, i).mul(mu).add(FloatVector.fromArray(S, g, i));
            b.intoArray(buf, i);
            FloatVector.fromArray(S, p, i).sub(b.mul(lr)).intoArray(p, i);
        }
        for (; i < to; i++) {
            float b = buf[i] * mu + g[i];
            buf[i] = b;
            p[i] = p[i] - lr * b;
        }
    }

    @Override
    public long steps() {
        return t;
    }

    /** {@code <name>.momentum_buffer} per parameter with momentum; just the step count without. */
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
        if (buf == null) return List.of();
        List<NamedTensor> out = new ArrayList<>(params.size());
        for (NamedTensor p : params) out.add(new NamedTensor(p.name() + ".momentum_buffer", p.shape(), buf, p.offset()));
        return out;
    }
}
