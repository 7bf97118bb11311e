package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.ProviderException;
import dev.consilium.agents.provider.ledger.Usage;
import dev.langchain4j.data.message.ChatMessageSerializer;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * Waits for a {@link RateLimiter}'s allowance before each call, then settles the token estimate with the real
 * usage. Sits inside the retry decorator, so every attempt counts as the provider counts it.
 */
public final class RateLimitChatModel extends ForwardingChatModel {

    private final RateLimiter limiter;

    public RateLimitChatModel(ChatModel delegate, RateLimiter limiter) {
        super(delegate);
        this.limiter = limiter;
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
        long estimate = estimateInputTokens(request);
        try {
            limiter.acquire(estimate);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException("interrupted while waiting for the rate limit", e);
        }
        ChatResponse response;
        try {
            response = delegate.chat(request, options);
        } catch (RuntimeException e) {
            limiter.settle(estimate, 0);
            throw e;
        }
        limiter.settle(estimate, Usage.of(response).totalTokens());
        return response;
    }

    /**
     * About four characters per token over the messages' JSON: an over-estimate (the JSON has keys and quotes),
     * which is the safe side to reserve on; {@link RateLimiter#settle} corrects it once the call returns.
     */
    static long estimateInputTokens(ChatRequest request) {
        return (ChatMessageSerializer.messagesToJson(request.messages()).length() + 3) / 4;
    }
}
