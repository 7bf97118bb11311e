package dev.consilium.moe.generate;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.model.DeepSeekV3Model;
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
    private final DeepSeekV3Model model;
    private final BpeTokenizer tokenizer;
    private final ModelConfig config;
    private final int maxBatch;
    private final boolean speculative;
    private final Sampler sampler;
    private final float[] probs;
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();

    private Generator(Builder b) {
        this.model = Objects.requireNonNull(b.model, "model");
        this.tokenizer = b.tokenizer;
        this.config = model.config();
        this.maxBatch = b.maxBatch;
        this.speculative = b.speculative && config.numNextnPredictLayers() > 0;
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
        Sequence s = add(prompt, params, listener);
        while (!s.finished()) step();
        return s.completion();
    }

    /** All prompts batched together; completions in prompt order. */
    public List<Completion> generateAll(List<int[]> prompts, SamplingParams params) {
        List<Sequence> seqs = new ArrayList<>(prompts.size());
        for (int[] p : prompts) seqs.add(add(p, params, TokenListener.NONE));
        for (Sequence s : seqs) while (!s.finished()) step();
        List<Completion> out = new ArrayList<>(seqs.size());
        for (Sequence s : seqs) out.add(s.completion());
        return out;
    }

    /** Queues a prompt; its prefill happens in a later {@link #step}. */
    public Sequence add(int[] prompt, SamplingParams params, TokenListener listener) {
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
        Sequence s = new Sequence(prompt, params, listener == null ? TokenListener.NONE : listener,
                new TextStream(tokenizer, params.stopStrings()));
        waiting.add(s);
        return s;
    }

    /** One decode step for every running sequence; false (and nothing done) when none is active. */
    public boolean step() {
        while (running.size() < maxBatch && !waiting.isEmpty()) running.add(waiting.poll());
        if (running.isEmpty()) return false;
        int V = config.vocabSize();
        for (Sequence s : running) {
            float[] logits = model.logits(Arrays.copyOf(s.tokens, s.length), 1, s.length);
            if (s.generated() == 0 && s.params.echo()) {
                s.promptLogprobs.add(null);
                for (int i = 1; i < s.prompt.length; i++) {
                    s.promptLogprobs.add(sampler.logprob(logits, (i - 1) * V, s.prompt[i], s.params.topLogprobs()));
                }
            }
            int off = (s.length - 1) * V;
            sampler.distribution(logits, off, s.params, probs);
            int token = s.params.greedy() ? Sampler.argmax(logits, off, V) : Sampler.sample(probs, V, s.rng);
            emit(s, token, logits, off);
        }
        running.removeIf(Sequence::finished);
        return true;
    }

    /** Ends {@code s} as CANCELLED and frees its slot; nothing happens to a finished sequence. */
    public void remove(Sequence s) {
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
    private void emit(Sequence s, int token, float[] logits, int off) {
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
        private BpeTokenizer tokenizer;
        private int maxBatch = 16;
        private boolean speculative = true;

        private Builder() {}

        public Builder model(DeepSeekV3Model model) { this.model = model; return this; }

        /** Gives completions their text and makes stop strings possible. */
        public Builder tokenizer(BpeTokenizer tokenizer) { this.tokenizer = tokenizer; return this; }

        /**
         * Self-speculative decoding with the model's MTP modules (default on; a model without them decodes
         * plainly). Output is the same either way for greedy requests and follows the same distribution
         * for sampled ones.
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
