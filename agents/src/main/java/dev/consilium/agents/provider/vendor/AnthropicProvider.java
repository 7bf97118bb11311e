package dev.consilium.agents.provider.vendor;

import dev.consilium.agents.provider.ChatModelProvider;
import dev.consilium.agents.provider.ModelTarget;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;

/** {@code anthropic/MODEL}: the Anthropic Messages API, key in {@code ANTHROPIC_API_KEY}. */
public final class AnthropicProvider implements ChatModelProvider {

    public static final String BASE_URL = "https://api.anthropic.com/v1/";
    public static final String KEY_VARIABLE = "ANTHROPIC_API_KEY";

    @Override
    public String name() {
        return "anthropic";
    }

    @Override
    public ChatModel chatModel(ModelTarget target) {
        return AnthropicChatModel.builder()
                .httpClientBuilder(target.httpClientBuilder())
                .baseUrl(target.baseUrl(BASE_URL))
                .apiKey(target.apiKey(KEY_VARIABLE))
                .modelName(target.modelName())
                .listeners(target.listeners())
                .timeout(target.timeout())
                .maxRetries(0) // RetryChatModel retries, with Retry-After
                .build();
    }

    @Override
    public StreamingChatModel streamingChatModel(ModelTarget target) {
        return AnthropicStreamingChatModel.builder()
                .httpClientBuilder(target.httpClientBuilder())
                .baseUrl(target.baseUrl(BASE_URL))
                .apiKey(target.apiKey(KEY_VARIABLE))
                .modelName(target.modelName())
                .listeners(target.listeners())
                .timeout(target.timeout())
                .build();
    }
}
