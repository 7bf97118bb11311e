package dev.consilium.agents.provider.vendor;

import dev.consilium.agents.provider.ChatModelProvider;
import dev.consilium.agents.provider.ModelTarget;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiStreamingChatModel;

/** {@code gemini/MODEL}: the Google AI Gemini API, key in {@code GEMINI_API_KEY}. */
public final class GeminiProvider implements ChatModelProvider {

    public static final String BASE_URL = "https://generativelanguage.googleapis.com/v1beta";
    public static final String KEY_VARIABLE = "GEMINI_API_KEY";

    @Override
    public String name() {
        return "gemini";
    }

    @Override
    public ChatModel chatModel(ModelTarget target) {
        return GoogleAiGeminiChatModel.builder()
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
        return GoogleAiGeminiStreamingChatModel.builder()
                .httpClientBuilder(target.httpClientBuilder())
                .baseUrl(target.baseUrl(BASE_URL))
                .apiKey(target.apiKey(KEY_VARIABLE))
                .modelName(target.modelName())
                .listeners(target.listeners())
                .timeout(target.timeout())
                .build();
    }
}
