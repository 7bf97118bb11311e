package dev.consilium.runtime.loop;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model with the loop's sampling fixed on every call: temperature, an answer-length bound, and a seed that
 * is {@code seed}, {@code seed + 1}, ... in call order. One instance serves one rollout, whose calls run in a
 * fixed order, so a rollout's every sample is reproducible: the basis of resuming a run with the same result.
 */
final class PolicyChatModel implements ChatModel {
    private final ChatModel delegate;
    private final double temperature;
    private final int maxTokens;
    private final long seed;
    private final AtomicInteger calls = new AtomicInteger();

    PolicyChatModel(ChatModel delegate, double temperature, int maxTokens, long seed) {
        this.delegate = delegate;
        this.temperature = temperature;
        this.maxTokens = maxTokens;
        this.seed = seed;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        int s = (int) (seed + calls.getAndIncrement());
        return delegate.chat(ChatRequest.builder().messages(request.messages())
                .parameters(OpenAiChatRequestParameters.builder().temperature(temperature).maxOutputTokens(maxTokens)
                        .seed(s).build())
                .build());
    }
}
