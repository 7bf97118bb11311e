package dev.consilium.moe.generate;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How one request samples. Defaults: temperature 1, top-p 1, top-k off (0), a random seed, 256 new tokens,
 * no stops, no logprobs, no echo.
 *
 * @param temperature  0 picks the most likely token (greedy, ties to the lowest id); otherwise logits are
 *                     divided by it before top-k and top-p
 * @param topP         nucleus sampling: keep the most likely tokens whose probabilities first reach topP
 * @param topK         keep the topK most likely tokens; 0 keeps all
 * @param seed         the same seed gives the same output, whatever else shares the batch; null draws one
 * @param maxNewTokens generated tokens at most (a stop token counts)
 * @param stopTokenIds generation ends after one of these; it is in {@link Completion#tokens()} but not in the text
 * @param stopStrings  generation ends when the text contains one; the text stops before it
 * @param logprobs     report each generated token's log-probability and alternatives in the completion
 * @param topLogprobs  alternatives per token (most likely first); 0 reports only the chosen token
 * @param echo         report the log-probabilities of the prompt tokens too (the first has none)
 */
public record SamplingParams(double temperature, double topP, int topK, Long seed, int maxNewTokens,
                             Set<Integer> stopTokenIds, List<String> stopStrings,
                             boolean logprobs, int topLogprobs, boolean echo) {

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, was " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must lie in (0, 1], was " + topP);
        if (topK < 0) throw new IllegalArgumentException("topK must be >= 0 (0 = off), was " + topK);
        if (maxNewTokens < 1) throw new IllegalArgumentException("maxNewTokens must be >= 1, was " + maxNewTokens);
        if (topLogprobs < 0) throw new IllegalArgumentException("topLogprobs must be >= 0, was " + topLogprobs);
        stopTokenIds = Set.copyOf(Objects.requireNonNull(stopTokenIds, "stopTokenIds"));
        stopStrings = List.copyOf(Objects.requireNonNull(stopStrings, "stopStrings"));
        for (String s : stopStrings) if (s.isEmpty()) throw new IllegalArgumentException("a stop string is empty");
    }

    /** Greedy decoding of at most {@code maxNewTokens}, no stops. */
    public static SamplingParams greedy(int maxNewTokens) {
        return builder().temperature(0).maxNewTokens(maxNewTokens).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().temperature(temperature).topP(topP).topK(topK).seed(seed).maxNewTokens(maxNewTokens)
                .stopTokenIds(stopTokenIds).stopStrings(stopStrings).logprobs(logprobs).topLogprobs(topLogprobs)
                .echo(echo);
    }

    boolean greedy() {
        return temperature == 0;
    }

    public static final class Builder {
        private double temperature = 1.0, topP = 1.0;
        private int topK, maxNewTokens = 256, topLogprobs;
        private Long seed;
        private Set<Integer> stopTokenIds = Set.of();
        private List<String> stopStrings = List.of();
        private boolean logprobs, echo;

        private Builder() {}

        public Builder temperature(double temperature) { this.temperature = temperature; return this; }
        public Builder topP(double topP) { this.topP = topP; return this; }
        public Builder topK(int topK) { this.topK = topK; return this; }
        public Builder seed(Long seed) { this.seed = seed; return this; }
        public Builder maxNewTokens(int maxNewTokens) { this.maxNewTokens = maxNewTokens; return this; }
        public Builder stopTokenIds(Set<Integer> ids) { this.stopTokenIds = ids; return this; }
        public Builder stopStrings(List<String> stops) { this.stopStrings = stops; return this; }
        public Builder logprobs(boolean logprobs) { this.logprobs = logprobs; return this; }
        public Builder topLogprobs(int topLogprobs) { this.topLogprobs = topLogprobs; return this; }
        public Builder echo(boolean echo) { this.echo = echo; return this; }

        public SamplingParams build() {
            return new SamplingParams(temperature, topP, topK, seed, maxNewTokens, stopTokenIds, stopStrings,
                    logprobs, topLogprobs, echo);
        }
    }
}
