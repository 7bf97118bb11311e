package dev.consilium.runtime.loop;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;

/**
 * A model asked to decide rather than sample: temperature 0 and a bounded answer length, keeping whatever else
 * the request asks (a judge's JSON response format). Held-out evaluation forces temperature 0 on every call, so
 * it is deterministic whatever the workflow's agents ask; a judge's requests keep a temperature they name,
 * since a judge that gets no logprobs samples on purpose (at temperature 0 its samples would all be one call).
 */
final class GreedyChatModel implements ChatModel {
    private final ChatModel delegate;
    private final int maxTokens;
    private final boolean force;

    private GreedyChatModel(ChatModel delegate, int maxTokens, boolean force) {
        this.delegate = delegate;
        this.maxTokens = maxTokens;
        this.force = force;
    }

    /** Temperature 0 on every call: held-out evaluation. */
    static GreedyChatModel always(ChatModel delegate, int maxTokens) {
        return new GreedyChatModel(delegate, maxTokens, true);
    }

    /** Temperature 0 where the request names none: judges. */
    static GreedyChatModel byDefault(ChatModel delegate, int maxTokens) {
        return new GreedyChatModel(delegate, maxTokens, false);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        Double asked = request.parameters() == null ? null : request.parameters().temperature();
        double temperature = force || asked == null ? 0.0 : asked;
        ChatRequestParameters p = OpenAiChatRequestParameters.builder().overrideWith(request.parameters())
                .temperature(temperature).maxOutputTokens(maxTokens).build();
        return delegate.chat(ChatRequest.builder().messages(request.messages()).parameters(p).build());
    }
}
