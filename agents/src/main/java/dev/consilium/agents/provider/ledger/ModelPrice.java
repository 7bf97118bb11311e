package dev.consilium.agents.provider.ledger;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * USD per token, one entry of LiteLLM's {@code model_prices_and_context_window.json} (its other fields, such as
 * {@code max_tokens} or {@code litellm_provider}, are ignored). A missing cache price falls back to the input
 * price and a missing reasoning price to the output price, as LiteLLM does. DeepSeek's entries name their cache-hit
 * price {@code input_cost_per_token_cache_hit}, which LiteLLM reads as the cache-read price when
 * {@code cache_read_input_token_cost} is absent; so does this.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelPrice(
        @JsonProperty("input_cost_per_token") double inputCostPerToken,
        @JsonProperty("output_cost_per_token") double outputCostPerToken,
        @JsonProperty("cache_read_input_token_cost") Double cacheReadInputTokenCost,
        @JsonProperty("cache_creation_input_token_cost") Double cacheCreationInputTokenCost,
        @JsonProperty("output_cost_per_reasoning_token") Double outputCostPerReasoningToken,
        @JsonProperty("input_cost_per_token_cache_hit") Double inputCostPerTokenCacheHit) {

    public static ModelPrice of(double inputCostPerToken, double outputCostPerToken) {
        return new ModelPrice(inputCostPerToken, outputCostPerToken, null, null, null, null);
    }

    /** USD for one call's usage. */
    public double cost(Usage u) {
        double cacheRead = cacheReadInputTokenCost != null ? cacheReadInputTokenCost
                : inputCostPerTokenCacheHit != null ? inputCostPerTokenCacheHit : inputCostPerToken;
        double cacheWrite = cacheCreationInputTokenCost != null ? cacheCreationInputTokenCost : inputCostPerToken;
        double reasoning = outputCostPerReasoningToken != null ? outputCostPerReasoningToken : outputCostPerToken;
        return u.uncachedInputTokens() * inputCostPerToken
                + u.cacheReadTokens() * cacheRead
                + u.cacheWriteTokens() * cacheWrite
                + u.outputTokens() * outputCostPerToken
                + u.reasoningTokens() * reasoning;
    }
}
