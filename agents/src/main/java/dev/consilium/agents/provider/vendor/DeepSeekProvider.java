package dev.consilium.agents.provider.vendor;

import dev.consilium.agents.provider.ChatModelProvider;
import dev.consilium.agents.provider.ModelTarget;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;

/**
 * {@code deepseek/MODEL}: the DeepSeek API, which speaks the OpenAI wire format, key in {@code DEEPSEEK_API_KEY}.
 * Its disk-cache counts ({@code prompt_cache_hit_tokens}) reach the ledger through the raw response.
 */
public final class DeepSeekProvider implements ChatModelProvider {

    public static final String BASE_URL = "https://api.deepseek.com";
    public static final String KEY_VARIABLE = "DEEPSEEK_API_KEY";

    @Override
    public String name() {
        return "deepseek";
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
