package dev.consilium.moe.model;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.config.RopeScaling;
import dev.consilium.moe.kernel.Matmul;
import dev.consilium.moe.kernel.Parallel;

/**
 * Multi-head Latent Attention, HF names under {@code self_attn.}:
 * <pre>
 *   q        = q_proj(x)                                  when q_lora_rank is null
 *            = q_b_proj(q_a_layernorm(q_a_proj(x)))       otherwise                   (N, nh*(dn+dr))
 *   [c | kr] = kv_a_proj_with_mqa(x)                      c (N, kvr), kr (N, dr)
 *   [kn | v] = kv_b_proj(kv_a_layernorm(c))               per head (dn | dv)
 *   k_pe = rope(kr) shared by heads; q_pe = rope(q's last dr per head)
 *   out = o_proj(causal attention)                                                     (N, H)
 * </pre>
 * The first projection's weights (q_a_proj or q_proj, then kv_a_proj_with_mqa) sit back to back in the flat
 * buffer, so one matmul computes both: rows of p1 are [q part (qW) | c (kvr) | kr (dr)].
 */
public final class Mla {
    final int H, nh, dn, dr, dv, qr, kvr, qW, S1, D;
    final float eps, scale;
    private final Rope rope;
    /** Offsets: w1 = [q_a_proj | q_proj ; kv_a_proj_with_mqa] (S1, H); qaNorm, qb absent (-1) without q_lora. */
    final int w1, qaNorm, qb, kvaNorm, kvb, o;

    // activations
    private float[] p1, qan, rstdQ, q, kvn, rstdKv, kpe, kv, att, lse;

    Mla(FlatLayout layout, String prefix, ModelConfig c, Rope rope) {
        H = c.hiddenSize();
        nh = c.numAttentionHeads();
        dn = c.qkNopeHeadDim();
        dr = c.qkRopeHeadDim();
        dv = c.vHeadDim();
        D = dn + dr;
        qr = c.qLoraRank() == null ? 0 : c.qLoraRank();
        kvr = c.kvLoraRank();
        qW = qr > 0 ? qr : nh * D;
        S1 = qW + kvr + dr;
        eps = c.rmsNormEps();
        scale = softmaxScale(c);
        this.rope = rope;
        if (qr > 0) {
            w1 = layout.add(prefix + "q_a_proj.weight", FlatLayout.Init.NORMAL, qr, H);
            layout.add(prefix + "kv_a_proj_with_mqa.weight", FlatLayout.Init.NORMAL, kvr + dr, H);
            qaNorm = layout.add(prefix + "q_a_layernorm.weight", FlatLayout.Init.ONES, qr);
            qb = layout.add(prefix + "q_b_proj.weight", FlatLayout.Init.NORMAL, nh * D, qr);
        } else {
            w1 = layout.add(prefix + "q_proj.weight", FlatLayout.Init.NORMAL, nh * D, H);
            layout.add(prefix + "kv_a_proj_with_mqa.weight", FlatLayout.Init.NORMAL, kvr + dr, H);
            qaNorm = -1;
            qb = -1;
        }
        kvaNorm = layout.add(prefix + "kv_a_layernorm.weight", FlatLayout.Init.ONES, kvr);
        kvb = layout.add(prefix + "kv_b_proj.weight", FlatLayout.Init.NORMAL, nh * (dn + dv), kvr);
        o = layout.add(prefix + "o_proj.weight", FlatLayout.Init.NORMAL, H, nh * dv);
    }

    /**
     * (dn + dr)^-0.5, times mscale^2 when YaRN extends the context (max_position_embeddings beyond the
     * original length), mscale = 0.1 * mscale_all_dim * ln(factor) + 1, as the reference MLA.
     */
    public static float softmaxScale(ModelConfig c) {
        double s = Math.pow(c.qkHeadDim(), -0.5);
        RopeScaling y = c.ropeScaling();
        if (y != null && c.maxPositionEmbeddings() > y.originalMaxPositionEmbeddings()) {
            double m = 0.1 * y.mscaleAllDim() * Math.log(y.factor()) + 1.0;
            s *= m * m;
        }
        return (float) s;
    }

    void allocate(int N) {
        p1 = new float[N * S1];
        if (qr > 0) {
            qan = new float[N * qr];
            rstdQ = new float[N];
            q = new float[N * nh * D];
        }
        kvn = new float[N * kvr];
        rstdKv = new float[N];
        kpe = new float[N * dr];
        kv = new float[N * nh * (dn + dv)];
        att = new float[N * nh * dv];
        lse = new float[N * nh];
    }

    /** out (N, H) = attention(x (N, H)). */
    void forward(float[] P, float[] x, float[] out, int B, int T) {
        int N = B * T;
        Matmul.forward(p1, 0, x, 0, P, w1, N, H, S1);
        float[] qArr = p1;
        int qStride = S1;
        if (qr > 0) {
            RmsNorm.forward(qan, 0, qr, p1, 0, S1, P, qaNorm, rstdQ, 0, N, qr, eps);
            Matmul.forward(q, 0, qan, 0, P, qb, N, qr, nh * D);
            qArr = q;
            qStride = nh * D;
        }
        rope.apply(qArr, dn, qStride, D, nh, B, T, false);
        RmsNorm.forward(kvn, 0, kvr, p1, qW, S1, P, kvaNorm, rstdKv, 0, N, kvr, eps);
        for (int n = 0; n < N; n++) System.arraycopy(p1, n * S1 + qW + kvr, kpe, n * dr, dr);
        rope.apply(kpe, 0, dr, 0, 1, B, T, false);
        Matmul.forward(kv, 0, kvn, 0, P, kvb, N, kvr, nh * (dn + dv));
        Attention.forward(att, lse, qArr, 0, qStride, kv, kpe, B, T, nh, dn, dr, dv, scale);
        Matmul.forward(out, 0, att, 0, P, o, N, nh * dv, H);
    }

    /** dx (N, H) += d/dx given dout (N, H); x is the forward input. */
    void backward(float[] P, float[] G, float[] dout, float[] x, float[] dx, int B, int T, BackwardScratch sc) {
        int N = B * T;
        Matmul.backwardWeight(G, o, dout, 0, att, 0, N, nh * dv, H);
        float[] datt = sc.zeroed(BackwardScratch.Slot.ATT_DOUT, N * nh * dv);
        Matmul.backwardInput(datt, 0, dout, 0, P, o, N, nh * dv, H);

        float[] dp1 = sc.zeroed(BackwardScratch.Slot.ATT_DP1, N * S1);
        float[] dkv = sc.get(BackwardScratch.Slot.ATT_DKVB, N * nh * (dn + dv));
        float[] dkpeHeads = sc.get(BackwardScratch.Slot.ATT_DKPE_HEADS, N * nh * dr);
        float[] qArr = qr > 0 ? q : p1;
        float[] dq = qr > 0 ? sc.get(BackwardScratch.Slot.ATT_DQ, N * nh * D) : dp1;
        int qStride = qr > 0 ? nh * D : S1;
        Attention.backward(dq, dkv, dkpeHeads, datt, qArr, 0, qStride, kv, kpe, lse, B, T, nh, dn, dr, dv, scale);
        rope.apply(dq, dn, qStride, D, nh, B, T, true);

        // the rotary key is shared by all heads: sum their gradients in head order, then un-rotate
        Parallel.forRange(N, 64, (from, to) -> {
            for (int n = from; n < to; n++) {
                int dst = n * S1 + qW + kvr;
                for (int d = 0; d < dr; d++) {
                    float acc = 0f;
                    for (int h = 0; h < nh; h++) acc += dkpeHeads[(n * nh + h) * dr + d];
                    dp1[dst + d] = acc;
                }
            }
        });
        rope.apply(dp1, qW + kvr, S1, 0, 1, B, T, true);

        Matmul.backwardWeight(G, kvb, dkv, 0, kvn, 0, N, kvr, nh * (dn + dv));
        float[] dkvn = sc.zeroed(BackwardScratch.Slot.ATT_DKVN, N * kvr);
        Matmul.backwardInput(dkvn, 0, dkv, 0, P, kvb, N, kvr, nh * (dn + dv));
        RmsNorm.backward(dp1, qW, S1, G, kvaNorm, dkvn, 0, kvr, p1, qW, S1, P, kvaNorm, rstdKv, 0, N, kvr);

        if (qr > 0) {
            Matmul.backwardWeight(G, qb, dq, 0, qan, 0, N, qr, nh * D);
            float[] dqan = sc.zeroed(BackwardScratch.Slot.ATT_DQAN, N * qr);
            Matmul.backwardInput(dqan, 0, dq, 0, P, qb, N, qr, nh * D);
            RmsNorm.backward(dp1, 0, S1, G, qaNorm, dqan, 0, qr, p1, 0, S1, P, qaNorm, rstdQ, 0, N, qr);
        }
        Matmul.backwardWeight(G, w1, dp1, 0, x, 0, N, H, S1);
        Matmul.backwardInput(dx, 0, dp1, 0, P, w1, N, H, S1);
    }
}
