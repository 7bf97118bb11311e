package dev.consilium.agents.provider.vendor;

import dev.consilium.agents.provider.ChatModelProvider;
import dev.consilium.agents.provider.ModelTarget;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;

import java.util.Map;

/**
 * {@code ollama/MODEL}: an Ollama server's native API, {@code http://localhost:11434} unless the deployment says
 * otherwise. Local Ollama takes no key; a deployment that names an {@code apiKeyEnv} (a hosted or proxied Ollama)
 * sends it as a bearer token.
 */
public final class OllamaProvider implements ChatModelProvider {

    public static final String BASE_URL = "http://localhost:11434";

    /** What a refused connection adds after the URL: with Ollama, the usual cause is that it is not started. */
    static final String NOT_RUNNING = "Ollama may not be running: start it with 'ollama serve', or set the "
            + "deployment's baseUrl to where it listens";

    @Override
    public String name() {
        return "ollama";
    }

    @Override
    public ChatModel chatModel(ModelTarget target) {
        return OllamaChatModel.builder()
                .httpClientBuilder(target.httpClientBuilder(NOT_RUNNING))
                .baseUrl(target.baseUrl(BASE_URL))
                .modelName(target.modelName())
                .listeners(target.listeners())
                .timeout(target.timeout())
                .customHeaders(headers(target))
                .maxRetries(0) // RetryChatModel retries
                .build();
    }

    @Override
    public StreamingChatModel streamingChatModel(ModelTarget target) {
        return OllamaStreamingChatModel.builder()
                .httpClientBuilder(target.httpClientBuilder(NOT_RUNNING))
                .baseUrl(target.baseUrl(BASE_URL))
                .modelName(target.modelName())
                .listeners(target.listeners())
                .timeout(target.timeout())
                .customHeaders(headers(target))
                .build();
    }

    private static Map<String, String> headers(ModelTarget target) {
        return target.optionalApiKey().map(key -> Map.of("Authorization", "Bearer " + key)).orElse(Map.of());
    }
}
