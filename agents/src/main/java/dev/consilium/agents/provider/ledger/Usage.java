package dev.consilium.agents.provider.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.model.anthropic.AnthropicTokenUsage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.googleai.GoogleAiGeminiTokenUsage;
import dev.langchain4j.model.openai.OpenAiChatResponseMetadata;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.TokenUsage;

import java.util.List;

/**
 * One call's tokens in five disjoint buckets, whatever the vendor's convention, so that they add up and price
 * the same way everywhere: input = uncached + cache read + cache write; output = visible output + reasoning.
 * <ul>
 *   <li>OpenAI counts cached tokens <em>inside</em> {@code prompt_tokens} and reasoning inside
 *       {@code completion_tokens}; both are subtracted out.</li>
 *   <li>Anthropic reports {@code cache_read_input_tokens} and {@code cache_creation_input_tokens}
 *       <em>outside</em> {@code input_tokens}; they are taken as they are.</li>
 *   <li>DeepSeek reports {@code prompt_cache_hit_tokens} and {@code prompt_cache_miss_tokens}, which LangChain4j's
 *       OpenAI client does not parse; they are read from the raw response (or the last streamed event).</li>
 *   <li>Gemini counts {@code cachedContentTokenCount} inside {@code promptTokenCount} and thoughts outside
 *       {@code candidatesTokenCount}.</li>
 * </ul>
 */
public record Usage(long uncachedInputTokens, long cacheReadTokens, long cacheWriteTokens, long outputTokens,
                    long reasoningTokens) {

    public static final Usage ZERO = new Usage(0, 0, 0, 0, 0);

    private static final ObjectMapper JSON = new ObjectMapper();

    public long inputTokens() {
        return uncachedInputTokens + cacheReadTokens + cacheWriteTokens;
    }

    public long totalTokens() {
        return inputTokens() + outputTokens + reasoningTokens;
    }

    public Usage plus(Usage o) {
        return new Usage(uncachedInputTokens + o.uncachedInputTokens, cacheReadTokens + o.cacheReadTokens,
                cacheWriteTokens + o.cacheWriteTokens, outputTokens + o.outputTokens, reasoningTokens + o.reasoningTokens);
    }

    public static Usage of(ChatResponse response) {
        TokenUsage t = response.tokenUsage();
        JsonNode deepSeek = deepSeekUsage(response);
        if (deepSeek != null) {
            long hit = deepSeek.path("prompt_cache_hit_tokens").asLong();
            long miss = deepSeek.path("prompt_cache_miss_tokens").asLong();
            long completion = deepSeek.path("completion_tokens").asLong();
            long reasoning = deepSeek.path("completion_tokens_details").path("reasoning_tokens").asLong();
            return new Usage(miss, hit, 0, completion - reasoning, reasoning);
        }
        return switch (t) {
            case null -> ZERO;
            case OpenAiTokenUsage o -> {
                long prompt = n(o.inputTokenCount());
                long cached = o.inputTokensDetails() == null ? 0 : n(o.inputTokensDetails().cachedTokens());
                long completion = n(o.outputTokenCount());
                long reasoning = o.outputTokensDetails() == null ? 0 : n(o.outputTokensDetails().reasoningTokens());
                yield new Usage(prompt - cached, cached, 0, completion - reasoning, reasoning);
            }
            case AnthropicTokenUsage a -> new Usage(n(a.inputTokenCount()), n(a.cacheReadInputTokens()),
                    n(a.cacheCreationInputTokens()), n(a.outputTokenCount()), 0);
            case GoogleAiGeminiTokenUsage g -> {
                long cached = n(g.cachedContentTokenCount());
                yield new Usage(n(g.inputTokenCount()) - cached, cached, 0, n(g.outputTokenCount()),
                        n(g.thoughtsTokenCount()));
            }
            default -> new Usage(n(t.inputTokenCount()), 0, 0, n(t.outputTokenCount()), 0);
        };
    }

    /** The raw {@code usage} object of an OpenAI-wire response that carries DeepSeek's cache counts, else null. */
    private static JsonNode deepSeekUsage(ChatResponse response) {
        if (!(response.metadata() instanceof OpenAiChatResponseMetadata m)) return null;
        SuccessfulHttpResponse raw = m.rawHttpResponse();
        if (raw != null && raw.body() != null && raw.body().contains("prompt_cache_hit_tokens")) {
            return cacheCounts(raw.body());
        }
        List<ServerSentEvent> events = m.rawServerSentEvents();
        if (events == null) return null;
        for (int i = events.size() - 1; i >= 0; i--) {
            String data = events.get(i).data();
            if (data != null && data.contains("prompt_cache_hit_tokens")) return cacheCounts(data);
        }
        return null;
    }

    private static JsonNode cacheCounts(String json) {
        try {
            JsonNode usage = JSON.readTree(json).path("usage");
            return usage.has("prompt_cache_hit_tokens") ? usage : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static long n(Integer v) {
        return v == null ? 0 : v;
    }
}
