package dev.consilium.runtime.loop;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;

/**
 * A model asked to decide rather than sample: temperature 0 and a bounded answer length on every call, keeping
 * whatever else the request asks (a judge's JSON response format). Held-out evaluation and judges use it, so
 * both are deterministic.
 */
final class GreedyChatModel implements ChatModel {
    private final ChatModel delegate;
    private final int maxTokens;

    GreedyChatModel(ChatModel delegate, int maxTokens) {
        this.delegate = delegate;
        this.maxTokens = maxTokens;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        ChatRequestParameters p = OpenAiChatRequestParameters.builder().overrideWith(request.parameters())
                .temperature(0.0).maxOutputTokens(maxTokens).build();
        return delegate.chat(ChatRequest.builder().messages(request.messages()).parameters(p).build());
    }
}
