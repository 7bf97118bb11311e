package dev.consilium.moe.generate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A finished generation.
 *
 * @param tokens              the generated ids, a stop token that ended them included
 * @param text                the generated text: special tokens and a stop token left out, cut before a stop string
 * @param logprobs            one per generated token; empty unless {@link SamplingParams#logprobs()}
 * @param promptLogprobs      with {@link SamplingParams#echo()}, one per prompt token, the first null; else empty
 * @param cachedPromptTokens  prompt tokens whose attention state came from the prefix cache
 * @param draftTokens         tokens the MTP modules proposed
 * @param acceptedDraftTokens of those, the ones verification kept
 */
public record Completion(int[] promptTokens, int[] tokens, String text,
                         List<TokenLogprob> logprobs,
                         List<TokenLogprob> promptLogprobs,
                         FinishReason finishReason,
                         int cachedPromptTokens,
                         int draftTokens, int acceptedDraftTokens) {
    public Completion {
        // null entries are allowed (echo's first), so no List.copyOf
        logprobs = Collections.unmodifiableList(new ArrayList<>(logprobs));
        promptLogprobs = Collections.unmodifiableList(new ArrayList<>(promptLogprobs));
    }
}
