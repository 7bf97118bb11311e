package dev.consilium.moe.model;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.kernel.Matmul;
import dev.consilium.moe.kernel.VectorApi;
import dev.consilium.moe.tensor.NamedTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The built-in DeepSeek-V3 model for training in fp32: token embedding, L pre-norm blocks of Multi-head
 * Latent Attention and a dense or MoE SwiGLU feed-forward, model.norm, an untied lm_head, and D Multi-Token
 * Prediction modules. Semantics follow DeepSeek-V3's reference {@code inference/model.py}; tensor names and
 * shapes are Hugging Face's, so {@link #parameters()} and {@link #buffers()} map one-to-one onto a
 * {@code model.safetensors} (the MTP modules share embed_tokens and lm_head with the main model, so a
 * checkpoint writer that wants HF's per-module {@code embed_tokens} / {@code shared_head.head} copies
 * writes the shared tensors under those names too).
 * <p>
 * Memory is llm.c style: one flat {@link #params()} array, one {@link #grads()} array of the same layout and
 * one {@link #bufferData()} array for the routers' selection biases. Activations are allocated for the
 * largest (B, T) seen and reused. Results are bit-identical for a given seed and batch at any thread count
 * and JIT state: every reduction has a fixed order and the vector math avoids tier-dependent intrinsics
 * (this holds as long as the {@code Matmul} kernels keep the same property). Not thread-safe: one caller
 * at a time.
 * <p>
 * One loss path serves SFT, GRPO and DPO: {@link #forward} returns per-token log-probs of the targets and the
 * loss -sum w * logp / normalizer (+ lambda * MTP + alpha * balance); {@link #backward()} accumulates its
 * gradients. Objectives whose weights depend on the log-probs call {@link #backward(float[], float)} with the
 * weights computed from {@link ForwardPass#logProbs()}.
 */
public final class DeepSeekV3Model {
    /**
     * Matrices start as N(0, 0.02^2): HF's DeepseekV3 initializer_range default (GPT-2's too). With pre-norm
     * blocks this keeps the residual stream and the initial logits small (uniform-ish predictions, loss near
     * ln V) at these widths. RMSNorm gains start at 1, the routing bias at 0.
     */
    public static final float INIT_STD = 0.02f;

    private final ModelConfig config;
    private final int H, V, L, D;
    private final int emb, norm, lm;
    private final TransformerBlock[] blocks;
    private final Mtp[] mtp;
    /** The main model's MoE layers first (mainMoeLayers of them), then the MTP modules'. */
    private final List<MoeLayer> moeLayers = new ArrayList<>();
    private final int mainMoeLayers;
    private final Rope rope;
    private final float eps;
    private final FlatLayout layout = new FlatLayout(), bufferLayout = new FlatLayout();
    private final float[] params, grads, buffers;
    private final BackwardScratch scratch = new BackwardScratch();
    private LossWeights lossWeights = LossWeights.DEEPSEEK_V3;

    // activations for up to capN = B*T tokens
    private int capN, capT;
    private float[] x0, hFinal, rstdF, logits, invSum, logp, coef;
    private int[] tokens, targets;

    // the last forward, for backward
    private int lastB, lastT;
    private boolean backwardReady, mtpRan;
    private float[] lastWeights;
    private float lastNormalizer;
    /** 1 / the temperature the last forward's log-probs were taken at: its backward scales by it. */
    private float lastInvTemperature = 1f;

    /** A model with fresh weights drawn from {@code seed}. */
    public DeepSeekV3Model(ModelConfig config, long seed) {
        this(config);
        layout.initialize(params, seed, INIT_STD);
        bufferLayout.initialize(buffers, seed, INIT_STD);
    }

    /** A model whose weights are all zero, for a checkpoint to fill: drawing weights to overwrite is waste. */
    public static DeepSeekV3Model unloaded(ModelConfig config) {
        return new DeepSeekV3Model(config);
    }

    /**
     * The Hugging Face name and shape of every tensor a checkpoint of {@code config} holds, parameters then
     * buffers, in layout order; no weights are allocated, so a loader can check a file of any size against
     * its config before reading it.
     */
    public static Map<String, int[]> tensorShapes(ModelConfig config) {
        DeepSeekV3Model layoutOnly = new DeepSeekV3Model(config, false);
        Map<String, int[]> shapes = new LinkedHashMap<>();
        layoutOnly.layout.shapesInto(shapes);
        layoutOnly.bufferLayout.shapesInto(shapes);
        return Collections.unmodifiableMap(shapes);
    }

    private DeepSeekV3Model(ModelConfig config) {
        VectorApi.require();
        this(config, true);
    }

    /** {@code allocate} false lays the tensors out and stops there: for {@link #tensorShapes} alone. */
    private DeepSeekV3Model(ModelConfig config, boolean allocate) {
        this.config = config;
        H = config.hiddenSize();
        V = config.vocabSize();
        L = config.numHiddenLayers();
        D = config.numNextnPredictLayers();
        eps = config.rmsNormEps();
        rope = new Rope(config);
        emb = layout.add("model.embed_tokens.weight", FlatLayout.Init.NORMAL, V, H);
        blocks = new TransformerBlock[L];
        for (int l = 0; l < L; l++) blocks[l] = new TransformerBlock(layout, bufferLayout, l, config, rope);
        norm = layout.add("model.norm.weight", FlatLayout.Init.ONES, H);
        lm = config.tieWordEmbeddings() ? emb : layout.add("lm_head.weight", FlatLayout.Init.NORMAL, V, H);
        mtp = new Mtp[D];
        for (int k = 1; k <= D; k++) mtp[k - 1] = new Mtp(layout, bufferLayout, k, config, rope);
        for (TransformerBlock b : blocks) if (b.ffn instanceof MoeLayer m) moeLayers.add(m);
        mainMoeLayers = moeLayers.size();
        for (Mtp m : mtp) if (m.block.ffn instanceof MoeLayer moe) moeLayers.add(moe);
        params = new float[allocate ? layout.size() : 0];
        grads = new float[allocate ? layout.size() : 0];
        buffers = new float[allocate ? bufferLayout.size() : 0];
    }

    public ModelConfig config() {
        return config;
    }

    /** All parameters, flat; {@link #parameters()} names its ranges. Live: writes change the model. */
    public float[] params() {
        return params;
    }

    /** Gradients, same layout as {@link #params()}; backward accumulates into it. */
    public float[] grads() {
        return grads;
    }

    /** The non-trained state (each MoE layer's e_score_correction_bias), flat. */
    public float[] bufferData() {
        return buffers;
    }

    /** HF-named views of {@link #params()}, in layout order. */
    public List<NamedTensor> parameters() {
        return layout.views(params);
    }

    /** The same names and shapes over {@link #grads()}. */
    public List<NamedTensor> gradients() {
        return layout.views(grads);
    }

    /** HF-named views of {@link #bufferData()}: {@code model.layers.i.mlp.gate.e_score_correction_bias}. */
    public List<NamedTensor> buffers() {
        return bufferLayout.views(buffers);
    }

    public int parameterCount() {
        return params.length;
    }

    public void zeroGrads() {
        Arrays.fill(grads, 0f);
    }

    public LossWeights lossWeights() {
        return lossWeights;
    }

    public void setLossWeights(LossWeights weights) {
        this.lossWeights = Objects.requireNonNull(weights, "weights");
    }

    /**
     * Holds every MoE layer's expert selection at what the last forward chose (gate weights are still
     * recomputed from the current scores), so finite-difference checks see a smooth function.
     */
    public void holdRouting(boolean hold) {
        for (MoeLayer m : moeLayers) m.holdRouting = hold;
    }

    /** Training forward: keeps activations for {@link #backward()} and counts expert load. */
    public ForwardPass forward(Batch batch) {
        return forward(batch, 1f);
    }

    /**
     * Training forward whose log-probs are those of softmax(logits / temperature): the distribution a sampler
     * at that temperature draws from, which a policy-gradient objective on such samples must differentiate
     * (the backward then carries the 1 / temperature of the chain rule). The MTP modules keep temperature 1.
     */
    public ForwardPass forward(Batch batch, float temperature) {
        int B = batch.batchSize(), T = batch.seqLen();
        run(batch.tokens(), batch.targets(), B, T, true, inverse(temperature));
        lastWeights = Arrays.copyOf(batch.weights(), B * T);
        lastNormalizer = batch.normalizer();
        backwardReady = true;
        return new ForwardPass(Arrays.copyOf(logp, B * T), loss(lastWeights, lastNormalizer));
    }

    /** Backward of the last forward's loss under its batch's weights. */
    public Loss backward() {
        if (lastWeights == null) throw new IllegalStateException("backward() needs a training forward first");
        return backward(lastWeights, lastNormalizer);
    }

    /**
     * Accumulates into {@link #grads()} the gradient of -sum w * logp / normalizer (+ lambda * MTP, same
     * weights, + alpha * balance) for the last forward, i.e. d/dlogits = w (softmax - onehot) / normalizer.
     * Once per forward: the logits buffers are overwritten by their gradients.
     */
    public Loss backward(float[] weights, float normalizer) {
        if (!backwardReady) throw new IllegalStateException("backward needs a fresh training forward (each forward"
                + " allows one backward, and logProbs() discards the pending one)");
        int B = lastB, T = lastT, N = B * T;
        if (weights.length != N) throw new IllegalArgumentException("weights: " + weights.length + " for " + N + " tokens");
        if (!(normalizer > 0f)) throw new IllegalArgumentException("normalizer must be positive, was " + normalizer);
        Loss loss = loss(weights, normalizer);
        backwardReady = false;
        LossWeights lw = lossWeights;

        // d/dlogits of logp(logits / temperature) is (onehot - softmax) / temperature
        for (int n = 0; n < N; n++) coef[n] = weights[n] / normalizer * lastInvTemperature;
        CrossEntropy.backward(logits, invSum, targets, coef, N, V);
        float[] dFinal = scratch.zeroed(BackwardScratch.Slot.MODEL_DFINAL, N * H);
        Matmul.backwardWeight(grads, lm, logits, 0, hFinal, 0, N, H, V);
        Matmul.backwardInput(dFinal, 0, logits, 0, params, lm, N, H, V);
        if (mtpRan) {
            for (Mtp m : mtp) Arrays.fill(m.dOut, 0, N * H, 0f);
            for (int k = D - 1; k >= 0; k--) {
                float[] hPrev = k == 0 ? hFinal : mtp[k - 1].out();
                float[] dPrev = k == 0 ? dFinal : mtp[k - 1].dOut;
                mtp[k].backward(params, grads, emb, lm, hPrev, dPrev, weights, normalizer, lw.mtp() / D, B, T,
                        lw.balance(), scratch);
            }
        }
        float[] dres = scratch.zeroed(BackwardScratch.Slot.MODEL_DRES, N * H);
        float[] last = L > 0 ? blocks[L - 1].out() : x0;
        RmsNorm.backward(dres, 0, H, grads, norm, dFinal, 0, H, last, 0, H, params, norm, rstdF, 0, N, H);
        for (int l = L - 1; l >= 0; l--) {
            blocks[l].backward(params, grads, dres, l == 0 ? x0 : blocks[l - 1].out(), B, T, lw.balance(), scratch);
        }
        Embedding.backward(grads, emb, dres, tokens, N, H);
        return loss;
    }

    /**
     * log p(targets[n] | tokens[..n]) under the current parameters (B*T, a fresh array): no gradients, no MTP,
     * no load counting. Discards any pending backward.
     */
    public float[] logProbs(int[] tokens, int[] targets, int B, int T) {
        return logProbs(tokens, targets, B, T, 1f);
    }

    /** As {@link #logProbs(int[], int[], int, int)}, of softmax(logits / temperature). */
    public float[] logProbs(int[] tokens, int[] targets, int B, int T, float temperature) {
        float inv = inverse(temperature);
        if (tokens.length != B * T || targets.length != B * T) {
            throw new IllegalArgumentException("logProbs: " + tokens.length + " tokens and " + targets.length
                    + " targets for " + B + " x " + T);
        }
        backwardReady = false;
        run(tokens, targets, B, T, false, inv);
        return Arrays.copyOf(logp, B * T);
    }

    /**
     * Next-token logits (B*T, V) under the current parameters, a fresh array: no gradients, no MTP, no load
     * counting. Discards any pending backward.
     */
    public float[] logits(int[] tokens, int B, int T) {
        if (tokens.length != B * T) {
            throw new IllegalArgumentException("logits: " + tokens.length + " tokens for " + B + " x " + T);
        }
        backwardReady = false;
        run(tokens, null, B, T, false, 1f);
        return Arrays.copyOf(logits, B * T * V);
    }

    /**
     * Auxiliary-loss-free balancing, after each optimizer step: every MoE layer moves each expert's selection
     * bias by gamma * sign(mean load - load) using the load counted since the last call, then restarts the
     * count. gamma 0 only restarts the count.
     */
    public void updateRoutingBias(float gamma) {
        for (MoeLayer m : moeLayers) m.updateBias(buffers, gamma);
    }

    /** Per MoE layer (main layers, then MTP modules'), the load counted since the last bias update. */
    public List<ExpertLoad> expertLoad() {
        List<ExpertLoad> out = new ArrayList<>(moeLayers.size());
        for (MoeLayer m : moeLayers) out.add(new ExpertLoad(m.name, m.load));
        return List.copyOf(out);
    }

    List<MoeLayer> moeLayers() {
        return moeLayers;
    }

    private static float inverse(float temperature) {
        if (!(temperature > 0f) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("log-prob temperature must be positive and finite, was " + temperature
                    + " (greedy decoding, temperature 0, has no log-probs to train)");
        }
        return 1f / temperature;
    }

    private void run(int[] tok, int[] tgt, int B, int T, boolean training, float invTemperature) {
        int N = B * T;
        if (T > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length " + T + " exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        ensureCapacity(N, T);
        for (int n = 0; n < N; n++) {
            if (tok[n] < 0 || tok[n] >= V) throw new IllegalArgumentException("token " + tok[n] + " at position " + n + " is outside the vocabulary [0, " + V + ")");
            if (tgt != null && (tgt[n] < 0 || tgt[n] >= V)) throw new IllegalArgumentException("target " + tgt[n] + " at position " + n + " is outside the vocabulary [0, " + V + ")");
        }
        System.arraycopy(tok, 0, tokens, 0, N);
        if (tgt != null) System.arraycopy(tgt, 0, targets, 0, N);
        lastB = B;
        lastT = T;
        Embedding.forward(x0, params, emb, tokens, N, H);
        float[] x = x0;
        for (TransformerBlock b : blocks) {
            b.forward(params, buffers, x, B, T, training);
            x = b.out();
        }
        RmsNorm.forward(hFinal, 0, H, x, 0, H, params, norm, rstdF, 0, N, H, eps);
        Matmul.forward(logits, 0, hFinal, 0, params, lm, N, H, V);
        if (tgt == null) return; // logits() wants them raw; the cross-entropy below overwrites them
        lastInvTemperature = invTemperature;
        if (invTemperature != 1f) for (int i = 0; i < N * V; i++) logits[i] *= invTemperature;
        CrossEntropy.forward(logp, invSum, logits, targets, N, V);
        mtpRan = training && D > 0 && lossWeights.mtp() != 0f;
        if (mtpRan) {
            float[] hPrev = hFinal;
            for (Mtp m : mtp) {
                m.forward(params, buffers, emb, lm, hPrev, tokens, targets, B, T);
                hPrev = m.out();
            }
        }
    }

    private Loss loss(float[] weights, float normalizer) {
        int N = lastB * lastT;
        double ce = 0;
        for (int n = 0; n < N; n++) ce -= (double) weights[n] * logp[n];
        ce /= normalizer;
        double mtpLoss = 0;
        if (mtpRan) {
            for (Mtp m : mtp) mtpLoss += m.loss(weights, normalizer, lastB, lastT);
            mtpLoss /= D;
        }
        double balance = 0;
        // the MTP modules' MoE layers count only when their forward ran
        int counted = mtpRan ? moeLayers.size() : mainMoeLayers;
        for (int i = 0; i < counted; i++) balance += moeLayers.get(i).balanceLoss();
        LossWeights lw = lossWeights;
        double total = ce + lw.mtp() * mtpLoss + lw.balance() * balance;
        return new Loss((float) total, (float) ce, (float) mtpLoss, (float) balance);
    }

    private void ensureCapacity(int N, int T) {
        if (N <= capN && T <= capT) return;
        capN = Math.max(N, capN);
        capT = Math.max(T, capT);
        rope.ensure(capT);
        x0 = new float[capN * H];
        hFinal = new float[capN * H];
        rstdF = new float[capN];
        logits = new float[capN * V];
        invSum = new float[capN];
        logp = new float[capN];
        coef = new float[capN];
        tokens = new int[capN];
        targets = new int[capN];
        for (TransformerBlock b : blocks) b.allocate(capN);
        for (Mtp m : mtp) m.allocate(capN);
    }
}
