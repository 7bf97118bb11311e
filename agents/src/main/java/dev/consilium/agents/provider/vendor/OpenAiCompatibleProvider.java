package dev.consilium.agents.provider.vendor;

import dev.consilium.agents.provider.ChatModelProvider;
import dev.consilium.agents.provider.ModelTarget;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;

/**
 * {@code openai-compatible/NAME}: any server with an OpenAI-style {@code /chat/completions} (vLLM, llama.cpp,
 * a LiteLLM proxy, Consilium's own server). The deployment must give {@code baseUrl}; a key is sent only when it
 * names an {@code apiKeyEnv}.
 */
public final class OpenAiCompatibleProvider implements ChatModelProvider {

    @Override
    public String name() {
        return "openai-compatible";
    }

    @Override
    public ChatModel chatModel(ModelTarget target) {
        return OpenAiWire.chatModel(target, target.requireBaseUrl(), target.optionalApiKey().orElse(null));
    }

    @Override
    public StreamingChatModel streamingChatModel(ModelTarget target) {
        return OpenAiWire.streamingChatModel(target, target.requireBaseUrl(), target.optionalApiKey().orElse(null));
    }
}
