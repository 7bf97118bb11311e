package dev.consilium.moe.generate;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.prefixcache.PrefixCache;
import dev.consilium.moe.tokenizer.BpeTokenizer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Generates from the built-in model. Not thread-safe: one decode loop owns it ({@link GenerationService}
 * puts a thread-safe queue in front). Sequences join with {@link #add} and leave when they finish or are
 * {@link #remove}d; each {@link #step} advances every running sequence by one decode step (continuous
 * batching), at most {@code maxBatch} at a time, the rest waiting in arrival order.
 */
public final class Generator {
    private final InferenceWeights weights;
    private final Engine engine;
    private final int V, H, mtpDepth;
    private final Rows rows = new Rows(), mtpRows = new Rows();
    private final PrefixCache prefixCache;
    private float[] mtpH = new float[0];
    private final BpeTokenizer tokenizer;
    private final ModelConfig config;
    private final int maxBatch;
    private final boolean speculative;
    private final Sampler sampler;
    private final float[] probs;
    private final ArrayDeque<DecodeSequence> waiting = new ArrayDeque<>();
    private final List<DecodeSequence> running = new ArrayList<>();

    private Generator(Builder b) {
        if ((b.model == null) == (b.weights == null)) throw new IllegalArgumentException("give the builder a model or weights (one of them)");
        this.weights = b.weights != null ? b.weights : InferenceWeights.of(b.model);
        this.tokenizer = b.tokenizer;
        this.config = weights.config();
        this.engine = new Engine(weights);
        this.prefixCache = b.prefixCache;
        if (prefixCache != null && prefixCache.rowWidth() != engine.mainWidth()) {
            throw new IllegalArgumentException("the prefix cache keeps rows of " + prefixCache.rowWidth()
                    + " floats, this model's latent rows have " + engine.mainWidth()
                    + " (layers x (kv_lora_rank + qk_rope_head_dim))");
        }
        this.V = config.vocabSize();
        this.H = config.hiddenSize();
        this.maxBatch = b.maxBatch;
        this.speculative = b.speculative && config.numNextnPredictLayers() > 0;
        this.mtpDepth = speculative ? config.numNextnPredictLayers() : 0;
        this.sampler = new Sampler(config.vocabSize());
        this.probs = new float[config.vocabSize()];
    }

    public static Builder builder() {
        return new Builder();
    }

    public ModelConfig config() {
        return config;
    }

    /** The tokenizer given to the builder; null when none was (then completions carry no text). */
    public BpeTokenizer tokenizer() {
        return tokenizer;
    }

    public Completion generate(int[] prompt, SamplingParams params) {
        return generate(prompt, params, TokenListener.NONE);
    }

    /** Runs {@code prompt} to completion (stepping whatever else is running too). */
    public Completion generate(int[] prompt, SamplingParams params, TokenListener listener) {
        DecodeSequence s = add(prompt, params, listener);
        while (!s.finished()) step();
        return s.completion();
    }

    /** All prompts batched together; completions in prompt order. */
    public List<Completion> generateAll(List<int[]> prompts, SamplingParams params) {
        List<DecodeSequence> seqs = new ArrayList<>(prompts.size());
        for (int[] p : prompts) seqs.add(add(p, params, TokenListener.NONE));
        for (DecodeSequence s : seqs) while (!s.finished()) step();
        List<Completion> out = new ArrayList<>(seqs.size());
        for (DecodeSequence s : seqs) out.add(s.completion());
        return out;
    }

    /** Queues a prompt; its prefill happens in a later {@link #step}. */
    public DecodeSequence add(int[] prompt, SamplingParams params, TokenListener listener) {
        Objects.requireNonNull(params, "params");
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty");
        if (prompt.length >= config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; max_position_embeddings "
                    + config.maxPositionEmbeddings() + " leaves no room to generate");
        }
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("prompt token " + prompt[i] + " at position " + i
                        + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        DecodeSequence s = new DecodeSequence(prompt, params, listener == null ? TokenListener.NONE : listener,
                new TextStream(tokenizer, params.stopStrings()));
        waiting.add(s);
        return s;
    }

    /**
     * One decode step for every running sequence; false (and nothing done) when none is active. Waiting
     * sequences join first; their whole prompts go through the model in this step's one forward beside
     * the running sequences' last tokens (and drafts, when speculating).
     */
    public boolean step() {
        while (running.size() < maxBatch && !waiting.isEmpty()) {
            DecodeSequence s = waiting.poll();
            running.add(s);
            if (prefixCache != null && !s.params.echo()) restorePrefix(s);
        }
        if (running.isEmpty()) return false;
        int B = running.size(), N = 0;
        for (DecodeSequence s : running) {
            reserve(s, s.length + s.nDrafts);
            N += s.length - s.fed + s.nDrafts;
        }
        rows.ensure(N, B);
        int r = 0, M = 0;
        for (int i = 0; i < B; i++) {
            DecodeSequence s = running.get(i);
            rows.seqStart[i] = r;
            rows.fedBefore[i] = s.fed;
            for (int p = s.fed; p < s.length + s.nDrafts; p++, r++) {
                rows.tok[r] = p < s.length ? s.tokens[p] : s.drafts[p - s.length];
                rows.pos[r] = p;
                rows.caches[r] = s.cache;
            }
            // logits from the last committed token on; a prompt to echo needs all of them
            rows.logitStart[i] = M;
            int from = s.params.echo() && s.generated() == 0 ? rows.seqStart[i] : rows.seqStart[i] + s.length - 1 - s.fed;
            for (int rr = from; rr < r; rr++) rows.logitRows[M++] = rr;
        }
        engine.forward(N, rows.tok, rows.pos, rows.caches);
        if (prefixCache != null) {
            for (int i = 0; i < B; i++) {
                DecodeSequence s = running.get(i);
                if (s.generated() == 0) prefixCache.store(s.prompt, s.prompt.length, s.cache, 0);
            }
        }
        float[] logits = engine.logits(rows.logitRows, M);
        for (int i = 0; i < B; i++) {
            DecodeSequence s = running.get(i);
            int base = rows.logitStart[i];
            if (s.params.echo() && s.generated() == 0) {
                s.promptLogprobs.add(null);
                for (int j = 1; j < s.prompt.length; j++) {
                    s.promptLogprobs.add(sampler.logprob(logits, (base + j - 1) * V, s.prompt[j], s.params.topLogprobs()));
                }
                base += s.prompt.length - 1;
            }
            verify(s, logits, base);
            s.fed = s.length - 1;
        }
        if (speculative) draft(B);
        running.removeIf(DecodeSequence::finished);
        return true;
    }

    /**
     * Decides the tokens after s's last one from logits rows base.. (the last committed token's, then one per
     * draft): each draft is accepted with probability min(1, p/q) (greedy: when it is the argmax), a rejected
     * one is replaced by a draw from norm(max(0, p - q)) (greedy: the argmax), and when every draft passes
     * the last row gives one token more. p is the request's sampling distribution under the main model, q the
     * one the draft was drawn from, so the tokens follow p exactly as without speculation.
     */
    private void verify(DecodeSequence s, float[] logits, int base) {
        SamplingParams p = s.params;
        int nd = s.nDrafts;
        s.nDrafts = 0;
        s.draftTokens += nd;
        for (int i = 0; i <= nd && !s.finished(); i++) {
            int off = (base + i) * V;
            if (p.greedy()) {
                int token = Sampler.argmax(logits, off, V);
                emit(s, token, logits, off);
                if (i == nd) return;
                if (token != s.drafts[i]) return;
                s.acceptedDraftTokens++;
                continue;
            }
            sampler.distribution(logits, off, p, probs);
            if (i == nd) {
                emit(s, Sampler.sample(probs, V, s.rng), logits, off);
                return;
            }
            int d = s.drafts[i];
            if (s.rng.nextDouble() * s.draftProbs[i * V + d] < probs[d]) {
                s.acceptedDraftTokens++;
                emit(s, d, logits, off);
                continue;
            }
            for (int v = 0; v < V; v++) probs[v] = Math.max(0f, probs[v] - s.draftProbs[i * V + v]);
            float sum = 0f;
            for (int v = 0; v < V; v++) sum += probs[v];
            for (int v = 0; v < V; v++) probs[v] /= sum;
            emit(s, Sampler.sample(probs, V, s.rng), logits, off);
            return;
        }
    }

    /**
     * The MTP modules draft the next tokens of every unfinished sequence. Each module runs over the positions
     * the main model has just committed (module k at position j reads h^{k-1}_j and token j+k, as in
     * training); at the last one it predicts a token, which the next module reads. Where token j+k is not
     * yet known (depth >= 2) the latest draft or token stands in: those MTP cache entries are approximations
     * that cost acceptance, never correctness.
     */
    private void draft(int B) {
        int R = 0;
        for (int i = 0; i < B; i++) {
            DecodeSequence s = running.get(i);
            if (!s.finished()) R += s.length - 1 - rows.fedBefore[i];
        }
        if (R == 0) return;
        mtpRows.ensure(R, B);
        if (mtpH.length < R * H) mtpH = new float[R * H];
        float[] h0 = engine.hidden();
        int r = 0, M = 0;
        for (int i = 0; i < B; i++) {
            DecodeSequence s = running.get(i);
            if (s.finished()) continue;
            mtpRows.seqStart[i] = r;
            for (int j = rows.fedBefore[i]; j <= s.length - 2; j++, r++) {
                System.arraycopy(h0, (rows.seqStart[i] + j - rows.fedBefore[i]) * H, mtpH, r * H, H);
                mtpRows.pos[r] = j;
            }
            mtpRows.logitRows[M++] = r - 1;
            s.nDrafts = Math.max(0, Math.min(Math.min(mtpDepth, s.params.maxNewTokens() - s.generated() - 1),
                    config.maxPositionEmbeddings() - s.length));
            if (s.drafts.length < mtpDepth) s.drafts = new int[mtpDepth];
            if (!s.params.greedy() && s.draftProbs.length < mtpDepth * V) s.draftProbs = new float[mtpDepth * V];
        }
        for (int k = 0; k < mtpDepth; k++) {
            r = 0;
            for (int i = 0; i < B; i++) {
                DecodeSequence s = running.get(i);
                if (s.finished()) continue;
                for (int j = rows.fedBefore[i]; j <= s.length - 2; j++, r++) {
                    int t = j + k + 1;
                    mtpRows.tok[r] = t < s.length ? s.tokens[t] : j == s.length - 2 ? s.drafts[k - 1] : s.tokens[s.length - 1];
                    mtpRows.caches[r] = s.mtpCache[k];
                }
            }
            engine.mtp(k, R, mtpRows.tok, mtpRows.pos, mtpRows.caches, mtpH);
            System.arraycopy(engine.stream(), 0, mtpH, 0, R * H);
            float[] logits = engine.logits(mtpRows.logitRows, M);
            int m = 0;
            for (int i = 0; i < B; i++) {
                DecodeSequence s = running.get(i);
                if (s.finished()) continue;
                int off = m++ * V;
                if (k >= s.nDrafts) continue;
                if (s.params.greedy()) {
                    s.drafts[k] = Sampler.argmax(logits, off, V);
                } else {
                    sampler.distribution(logits, off, s.params, probs);
                    System.arraycopy(probs, 0, s.draftProbs, k * V, V);
                    s.drafts[k] = Sampler.sample(probs, V, s.rng);
                }
            }
        }
    }

    /**
     * Starts s after the longest cached prefix of its prompt (one token at least is left to compute, for the
     * logits). The rows are bits this engine computed for the same tokens, and a row depends only on the rows
     * before it, so the output is the same as without the cache. The MTP modules' caches are not in the prefix
     * cache: their entries for the restored positions stay zero, which costs draft acceptance only.
     */
    private void restorePrefix(DecodeSequence s) {
        PrefixCache.Match m = prefixCache.lookup(s.prompt, s.prompt.length - 1);
        if (m.tokens() == 0) return;
        reserve(s, s.length);
        m.copyRows(s.cache, 0);
        s.fed = m.tokens();
        s.cachedPromptTokens = m.tokens();
    }

    /** Grows s's caches to cover positions [0, positions), doubling up to the context limit. */
    private void reserve(DecodeSequence s, int positions) {
        int have = s.cache.length / engine.mainWidth();
        if (s.mtpCache == null) s.mtpCache = new float[mtpDepth][0];
        if (have >= positions) return;
        int want = Math.min(config.maxPositionEmbeddings(), Math.max(positions, Math.max(16, 2 * have)));
        s.cache = Arrays.copyOf(s.cache, want * engine.mainWidth());
        for (int k = 0; k < mtpDepth; k++) s.mtpCache[k] = Arrays.copyOf(s.mtpCache[k], want * engine.KV);
    }

    /** Per-step row arrays, grown as needed and reused. */
    private static final class Rows {
        int[] tok = new int[0], pos = new int[0], logitRows = new int[0];
        float[][] caches = new float[0][];
        int[] seqStart = new int[0], fedBefore = new int[0], logitStart = new int[0];

        void ensure(int N, int B) {
            if (tok.length < N) {
                int n = Math.max(N, 2 * tok.length);
                tok = new int[n];
                pos = new int[n];
                logitRows = new int[n];
                caches = new float[n][];
            }
            if (seqStart.length < B) {
                seqStart = new int[B];
                fedBefore = new int[B];
                logitStart = new int[B];
            }
        }
    }

    /** Ends {@code s} as CANCELLED and frees its slot; nothing happens to a finished sequence. */
    public void remove(DecodeSequence s) {
        if (s.finished()) return;
        waiting.remove(s);
        running.remove(s);
        s.finish(FinishReason.CANCELLED);
    }

    /** Sequences decoded together at most; more wait their turn. */
    public int maxBatch() {
        return maxBatch;
    }

    /** Sequences added and not finished: running plus waiting. */
    public int active() {
        return running.size() + waiting.size();
    }

    /** Records {@code token}, chosen from the logits row at off: logprob, text piece, stop checks, listener. */
    private void emit(DecodeSequence s, int token, float[] logits, int off) {
        SamplingParams p = s.params;
        TokenLogprob lp = sampler.logprob(logits, off, token, p.topLogprobs());
        if (p.logprobs()) s.logprobs.add(lp);
        s.append(token);
        FinishReason reason = null;
        String piece;
        if (p.stopTokenIds().contains(token)) {
            reason = FinishReason.STOP;
            piece = s.stream.flush();
        } else {
            piece = s.stream.add(token);
            if (s.stream.stopped()) reason = FinishReason.STOP;
            else if (s.generated() >= p.maxNewTokens() || s.length >= config.maxPositionEmbeddings()) {
                reason = FinishReason.LENGTH;
                piece += s.stream.flush();
            }
        }
        if (reason != null) s.finish(reason);
        s.listener.onToken(lp, piece);
    }

    public static final class Builder {
        private DeepSeekV3Model model;
        private InferenceWeights weights;
        private BpeTokenizer tokenizer;
        private int maxBatch = 16;
        private boolean speculative;
        private PrefixCache prefixCache;

        private Builder() {}

        /** Generates with this model's current weights (copied and packed once, at build). */
        public Builder model(DeepSeekV3Model model) { this.model = model; return this; }

        /** Generates with these weights (BF16 or FP8 ones from a checkpoint, for one). */
        public Builder weights(InferenceWeights weights) { this.weights = weights; return this; }

        /**
         * Reuses the attention state of prompt prefixes seen before (rows of {@code layers x (kv_lora_rank +
         * qk_rope_head_dim)} floats per token). The main model's output is bit-identical with and without it,
         * so greedy requests and sampling without speculation give the same tokens; sampling with speculation
         * draws depend on the drafts, and the MTP modules have no cached state for a restored prefix. Requests
         * with echo skip the cache, since they need every prompt position's logits.
         */
        public Builder prefixCache(PrefixCache prefixCache) { this.prefixCache = prefixCache; return this; }

        /** Gives completions their text and makes stop strings possible. */
        public Builder tokenizer(BpeTokenizer tokenizer) { this.tokenizer = tokenizer; return this; }

        /**
         * Self-speculative decoding with the model's MTP modules (default off; a model without them decodes
         * plainly either way). Output is the same either way for greedy requests and follows the same
         * distribution for sampled ones. Off by default because on a CPU it costs more than it saves at
         * batch 1: a cached model pays for the second row's arithmetic, and a model that waits on memory
         * still reads the draft token's own experts (docs/BENCH-KERNELS.md measures both).
         */
        public Builder speculative(boolean speculative) { this.speculative = speculative; return this; }

        /** Sequences decoded together at most (default 16); more wait their turn. */
        public Builder maxBatch(int maxBatch) {
            if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be >= 1, was " + maxBatch);
            this.maxBatch = maxBatch;
            return this;
        }

        public Generator build() {
            return new Generator(this);
        }
    }
}
