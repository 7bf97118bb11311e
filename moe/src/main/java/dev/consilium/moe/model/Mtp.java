package dev.consilium.moe.model;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.kernel.Matmul;

/**
 * Multi-Token Prediction module k (1-based), stored as HF stores DeepSeek-V3's under
 * {@code model.layers.(L+k-1).}: at position i it combines the embedding of token t_{i+k} with the previous
 * depth's hidden state h^{k-1}_i and predicts t_{i+k+1}:
 * <pre>
 *   m   = eh_proj([enorm(Emb(t_{i+k})) | hnorm(h^{k-1}_i)])      embedding first, as vLLM's DeepSeek MTP
 *   h^k = block(m)                                              a full transformer block of this layer index
 *   logits = lm_head(shared_head.norm(h^k))                     embedding and lm_head shared with the model
 * </pre>
 * h^0 is the main model's final hidden state after model.norm. Positions with i+k >= T have no target: their
 * loss weight is zero (their input token is clamped to the last one, and causality keeps them from
 * influencing valid positions).
 */
final class Mtp {
    final int k, H, V;
    final float eps;
    final int enorm, hnorm, eh, headNorm;
    final TransformerBlock block;
    private float[] e, cat, rstdE, rstdH, m, sn, rstdS, logits, invSum, logp;
    /** d/d(h^k), accumulated by module k+1 before this module's backward runs. */
    float[] dOut;
    private int[] tok, tgt;

    Mtp(FlatLayout layout, FlatLayout buffers, int k, ModelConfig c, Rope rope) {
        this.k = k;
        H = c.hiddenSize();
        V = c.vocabSize();
        eps = c.rmsNormEps();
        int layer = c.numHiddenLayers() + k - 1;
        String prefix = "model.layers." + layer + ".";
        enorm = layout.add(prefix + "enorm.weight", FlatLayout.Init.ONES, H);
        hnorm = layout.add(prefix + "hnorm.weight", FlatLayout.Init.ONES, H);
        eh = layout.add(prefix + "eh_proj.weight", FlatLayout.Init.NORMAL, H, 2 * H);
        block = new TransformerBlock(layout, buffers, layer, c, rope);
        headNorm = layout.add(prefix + "shared_head.norm.weight", FlatLayout.Init.ONES, H);
    }

    void allocate(int N) {
        e = new float[N * H];
        cat = new float[N * 2 * H];
        rstdE = new float[N];
        rstdH = new float[N];
        m = new float[N * H];
        sn = new float[N * H];
        rstdS = new float[N];
        logits = new float[N * V];
        invSum = new float[N];
        logp = new float[N];
        dOut = new float[N * H];
        tok = new int[N];
        tgt = new int[N];
        block.allocate(N);
    }

    /** h^k (N, H) of the last forward. */
    float[] out() {
        return block.out();
    }

    void forward(float[] P, float[] buffers, int emb, int lm, float[] hPrev, int[] tokens, int[] targets,
                 int B, int T) {
        int N = B * T;
        for (int b = 0; b < B; b++) {
            for (int i = 0; i < T; i++) {
                int n = b * T + i;
                tok[n] = tokens[b * T + Math.min(i + k, T - 1)];
                tgt[n] = i + k < T ? targets[n + k] : -1;
            }
        }
        Embedding.forward(e, P, emb, tok, N, H);
        RmsNorm.forward(cat, 0, 2 * H, e, 0, H, P, enorm, rstdE, 0, N, H, eps);
        RmsNorm.forward(cat, H, 2 * H, hPrev, 0, H, P, hnorm, rstdH, 0, N, H, eps);
        Matmul.forward(m, 0, cat, 0, P, eh, N, 2 * H, H);
        block.forward(P, buffers, m, B, T, true);
        RmsNorm.forward(sn, 0, H, block.out(), 0, H, P, headNorm, rstdS, 0, N, H, eps);
        Matmul.forward(logits, 0, sn, 0, P, lm, N, H, V);
        CrossEntropy.forward(logp, invSum, logits, tgt, N, V);
    }

    /** This depth's loss, -sum_i w_{i+k} * logp^k_i / normalizer, over positions that have a target. */
    double loss(float[] weights, float normalizer, int B, int T) {
        double acc = 0;
        for (int b = 0; b < B; b++) {
            for (int i = 0; i + k < T; i++) acc -= (double) weights[b * T + i + k] * logp[b * T + i];
        }
        return acc / normalizer;
    }

    /**
     * Backward of scale * loss(weights, normalizer). dOut must hold d/d(h^k) from depth k+1 (zero for the last
     * depth); dPrev (N, H) += d/d(h^{k-1}).
     */
    void backward(float[] P, float[] G, int emb, int lm, float[] hPrev, float[] dPrev, float[] weights,
                  float normalizer, float scale, int B, int T, float balanceWeight, BackwardScratch sc) {
        int N = B * T;
        float[] coef = sc.get(BackwardScratch.Slot.MTP_WEIGHTS, N);
        for (int b = 0; b < B; b++) {
            for (int i = 0; i < T; i++) {
                coef[b * T + i] = i + k < T ? weights[b * T + i + k] * scale / normalizer : 0f;
            }
        }
        CrossEntropy.backward(logits, invSum, tgt, coef, N, V);
        Matmul.backwardWeight(G, lm, logits, 0, sn, 0, N, H, V);
        float[] dsn = sc.zeroed(BackwardScratch.Slot.MTP_DSN, N * H);
        Matmul.backwardInput(dsn, 0, logits, 0, P, lm, N, H, V);
        RmsNorm.backward(dOut, 0, H, G, headNorm, dsn, 0, H, block.out(), 0, H, P, headNorm, rstdS, 0, N, H);
        block.backward(P, G, dOut, m, B, T, balanceWeight, sc);
        Matmul.backwardWeight(G, eh, dOut, 0, cat, 0, N, 2 * H, H);
        float[] dcat = sc.zeroed(BackwardScratch.Slot.MTP_DCAT, N * 2 * H);
        Matmul.backwardInput(dcat, 0, dOut, 0, P, eh, N, 2 * H, H);
        float[] de = sc.zeroed(BackwardScratch.Slot.MTP_DEMB, N * H);
        RmsNorm.backward(de, 0, H, G, enorm, dcat, 0, 2 * H, e, 0, H, P, enorm, rstdE, 0, N, H);
        Embedding.backward(G, emb, de, tok, N, H);
        RmsNorm.backward(dPrev, 0, H, G, hnorm, dcat, H, 2 * H, hPrev, 0, H, P, hnorm, rstdH, 0, N, H);
    }
}
