package dev.consilium.agents.provider.vendor;

import dev.consilium.agents.provider.ModelTarget;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;

/** LangChain4j's OpenAI client, shared by every provider that speaks the OpenAI wire format. */
final class OpenAiWire {

    private OpenAiWire() {}

    /** @param apiKey null for a server that takes none (sends no Authorization header) */
    static ChatModel chatModel(ModelTarget target, String baseUrl, String apiKey) {
        return OpenAiChatModel.builder()
                .httpClientBuilder(target.httpClientBuilder())
                .baseUrl(baseUrl)
                .apiKey(apiKey)
                .modelName(target.modelName())
                .listeners(target.listeners())
                .timeout(target.timeout())
                .maxRetries(0) // RetryChatModel retries, with Retry-After; two retry loops would multiply attempts
                .build();
    }

    static StreamingChatModel streamingChatModel(ModelTarget target, String baseUrl, String apiKey) {
        return OpenAiStreamingChatModel.builder()
                .httpClientBuilder(target.httpClientBuilder())
                .baseUrl(baseUrl)
                .apiKey(apiKey)
                .modelName(target.modelName())
                .listeners(target.listeners())
                .timeout(target.timeout())
                .build();
    }
}
