package dev.consilium.runtime.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Map;

/**
 * The bodies the server writes, in OpenAI's shapes. Record components are camelCase and go out snake_case
 * ({@code finishReason} as {@code finish_reason}); nulls are written (OpenAI sends {@code "logprobs": null})
 * except where a record says otherwise.
 */
final class Wire {
    private Wire() {}

    /** Writes the bodies; reads request bodies strictly (text after the JSON value is an error). */
    static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    record ErrorBody(ErrorDetail error) {}

    record ErrorDetail(String message, String type, String param, String code) {}

    record ModelList(String object, List<ModelCard> data) {}

    record ModelCard(String id, String object, long created, String ownedBy) {}

    record Health(String status, String model, int activeRequests) {}

    /**
     * Both OpenAI's and DeepSeek's account of the prefix cache: {@code cached_tokens} and
     * {@code prompt_cache_hit_tokens} are the same count, {@code prompt_cache_miss_tokens} the rest of the prompt.
     */
    record Usage(int promptTokens, int completionTokens, int totalTokens, PromptTokensDetails promptTokensDetails,
                 int promptCacheHitTokens, int promptCacheMissTokens) {
        static Usage of(int promptTokens, int completionTokens, int cachedTokens) {
            return new Usage(promptTokens, completionTokens, promptTokens + completionTokens,
                    new PromptTokensDetails(cachedTokens), cachedTokens, promptTokens - cachedTokens);
        }
    }

    record PromptTokensDetails(int cachedTokens) {}

    record ChatCompletion(String id, String object, long created, String model, List<ChatChoice> choices, Usage usage) {}

    /** @param warning set when {@code response_format} asked for JSON and no attempt produced valid JSON */
    record ChatChoice(int index, Message message, ChatLogprobs logprobs, String finishReason,
                      @JsonInclude(JsonInclude.Include.NON_NULL) String warning) {}

    record Message(String role, String content) {}

    record ChatChunk(String id, String object, long created, String model, List<ChunkChoice> choices, Usage usage) {}

    record ChunkChoice(int index, Delta delta, ChatLogprobs logprobs, String finishReason,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String warning) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Delta(String role, String content) {}

    record ChatLogprobs(List<ChatTokenLogprob> content) {}

    record ChatTokenLogprob(String token, float logprob, int[] bytes, List<ChatTopLogprob> topLogprobs) {}

    record ChatTopLogprob(String token, float logprob, int[] bytes) {}

    record TextCompletion(String id, String object, long created, String model, List<TextChoice> choices, Usage usage) {}

    record TextChoice(String text, int index, LegacyLogprobs logprobs, String finishReason) {}

    /** The legacy shape: parallel lists, one entry per token; an echoed prompt's first token has nulls. */
    record LegacyLogprobs(List<String> tokens, List<Float> tokenLogprobs, List<Map<String, Float>> topLogprobs,
                          List<Integer> textOffset) {}
}
