package dev.consilium.moe.model;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.kernel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A pre-norm transformer block, HF names under {@code model.layers.i.}:
 * h = x + self_attn(input_layernorm(x)); out = h + mlp(post_attention_layernorm(h)). x, h, out: (N, H).
 */
final class TransformerBlock {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    final int H;
    final float eps;
    final int ln1, ln2;
    final Mla attn;
    final FeedForward ffn;
    private float[] xn1, rstd1, h, xn2, rstd2, out;

    /** layer: the index in the HF numbering, which decides dense (below first_k_dense_replace) or MoE. */
    TransformerBlock(FlatLayout layout, FlatLayout buffers, int layer, ModelConfig c, Rope rope) {
        String prefix = "model.layers." + layer + ".";
        H = c.hiddenSize();
        eps = c.rmsNormEps();
        ln1 = layout.add(prefix + "input_layernorm.weight", FlatLayout.Init.ONES, H);
        attn = new Mla(layout, prefix + "self_attn.", c, rope);
        ln2 = layout.add(prefix + "post_attention_layernorm.weight", FlatLayout.Init.ONES, H);
        ffn = c.isMoeLayer(layer)
                ? new MoeLayer(layout, buffers, prefix + "mlp.", c)
                : new Mlp(layout, prefix + "mlp.", H, c.intermediateSize());
    }

    void allocate(int N) {
        xn1 = new float[N * H];
        rstd1 = new float[N];
        h = new float[N * H];
        xn2 = new float[N * H];
        rstd2 = new float[N];
        out = new float[N * H];
        attn.allocate(N);
        ffn.allocate(N);
    }

    /** The block's output (N, H) of the last forward. */
    float[] out() {
        return out;
    }

    void forward(float[] P, float[] buffers, float[] x, int B, int T, boolean training) {
        int N = B * T;
        RmsNorm.forward(xn1, 0, H, x, 0, H, P, ln1, rstd1, 0, N, H, eps);
        attn.forward(P, xn1, h, B, T);
        addInPlace(h, x, N * H);
        RmsNorm.forward(xn2, 0, H, h, 0, H, P, ln2, rstd2, 0, N, H, eps);
        ffn.forward(P, buffers, xn2, out, B, T, training);
        addInPlace(out, h, N * H);
    }

    /** dres (N, H): on entry d/d(out), on return d/dx. x: this block's forward input. */
    void backward(float[] P, float[] G, float[] dres, float[] x, int B, int T, float balanceWeight, BackwardScratch sc) {
        int N = B * T;
        float[] dln = sc.zeroed(BackwardScratch.Slot.BLOCK_DLN, N * H);
        ffn.backward(P, G, dres, xn2, dln, B, T, balanceWeight, sc);
        RmsNorm.backward(dres, 0, H, G, ln2, dln, 0, H, h, 0, H, P, ln2, rstd2, 0, N, H);
        dln = sc.zeroed(BackwardScratch.Slot.BLOCK_DLN, N * H);
        attn.backward(P, G, dres, xn1, dln, B, T, sc);
        RmsNorm.backward(dres, 0, H, G, ln1, dln, 0, H, x, 0, H, P, ln1, rstd1, 0, N, H);
    }

    /** a[0..n) += b[0..n). */
    static void addInPlace(float[] a, float[] b, int n) {
        Parallel.forRange(n, 16384, (from, to) -> {
            int i = from;
            for (; i + S.length() <= to; i += S.length()) {
                FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i)).intoArray(a, i);
            }
            for (; i < to; i++) a[i] += b[i];
        });
    }
}
