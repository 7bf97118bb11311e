package dev.consilium.agents.provider.vendor;

import dev.consilium.agents.provider.ChatModelProvider;
import dev.consilium.agents.provider.ModelTarget;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;

/** {@code openai/MODEL}: the OpenAI API, key in {@code OPENAI_API_KEY}. */
public final class OpenAiProvider implements ChatModelProvider {

    public static final String BASE_URL = "https://api.openai.com/v1";
    public static final String KEY_VARIABLE = "OPENAI_API_KEY";

    @Override
    public String name() {
        return "openai";
    }

    @Override
    public ChatModel chatModel(ModelTarget target) {
        return OpenAiWire.chatModel(target, target.baseUrl(BASE_URL), target.apiKey(KEY_VARIABLE));
    }

    @Override
    public StreamingChatModel streamingChatModel(ModelTarget target) {
        return OpenAiWire.streamingChatModel(target, target.baseUrl(BASE_URL), target.apiKey(KEY_VARIABLE));
    }
}
