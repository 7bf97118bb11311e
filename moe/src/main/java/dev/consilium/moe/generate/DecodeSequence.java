package dev.consilium.moe.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One request inside a {@link Generator}: its tokens so far, its sampling state and, once it ends, its
 * {@link Completion}. Created by {@link Generator#add}; advanced only by the generator's decode loop.
 */
public final class DecodeSequence {
    final int[] prompt;
    final SamplingParams params;
    final TokenListener listener;
    final SplittableRandom rng;
    final TextStream stream;
    final List<TokenLogprob> logprobs = new ArrayList<>();
    final List<TokenLogprob> promptLogprobs = new ArrayList<>();
    /** prompt then generated tokens; [0, length) valid. */
    int[] tokens;
    int length;
    int draftTokens, acceptedDraftTokens, cachedPromptTokens;
    /** Positions whose latents in {@link #cache} are final: tokens [0, fed) have been through the model. */
    int fed;
    /** The main model's latent cache, positions x (layers x (kvr + dr)); the MTP modules' own, positions x (kvr + dr). */
    float[] cache = new float[0];
    float[][] mtpCache;
    /** Tokens the MTP modules proposed to follow the last one, and (when sampling) the distributions drawn from. */
    int[] drafts = new int[0];
    int nDrafts;
    float[] draftProbs = new float[0];
    private volatile Completion completion;

    DecodeSequence(int[] prompt, SamplingParams params, TokenListener listener, TextStream stream) {
        this.prompt = prompt.clone();
        this.params = params;
        this.listener = listener;
        this.stream = stream;
        this.rng = params.seed() != null ? new SplittableRandom(params.seed()) : new SplittableRandom();
        tokens = Arrays.copyOf(prompt, prompt.length + Math.min(params.maxNewTokens(), 64));
        length = prompt.length;
    }

    public boolean finished() {
        return completion != null;
    }

    /** The result once {@link #finished()}, else null. */
    public Completion completion() {
        return completion;
    }

    int generated() {
        return length - prompt.length;
    }

    void append(int token) {
        if (length == tokens.length) tokens = Arrays.copyOf(tokens, 2 * tokens.length);
        tokens[length++] = token;
    }

    void finish(FinishReason reason) {
        if (completion != null) return;
        cache = null;
        mtpCache = null;
        completion = new Completion(prompt.clone(), Arrays.copyOfRange(tokens, prompt.length, length), stream.text(),
                params.logprobs() ? logprobs : List.of(), params.echo() ? promptLogprobs : List.of(), reason,
                cachedPromptTokens, draftTokens, acceptedDraftTokens);
    }
}
