package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.ProviderException;
import dev.consilium.agents.provider.ledger.Usage;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ChatMessageSerializer;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * Waits for a {@link RateLimiter}'s allowance before each call, then settles the token estimate with the real
 * usage. Sits inside the retry decorator, so every attempt counts as the provider counts it.
 */
public final class RateLimitChatModel extends ForwardingChatModel {

    /** A role and the chat template's markers around each message: a few tokens. */
    private static final int MESSAGE_FRAMING_CHARS = 16;

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
        // A response without usage (a stream that has only begun, a server that reports none) keeps its estimate.
        limiter.settle(estimate, response.tokenUsage() == null ? estimate : Usage.of(response).totalTokens());
        return response;
    }

    /**
     * About four characters per token, plus a few tokens of framing per message; {@link RateLimiter#settle}
     * corrects it once the call returns. Text is measured directly (serializing every request to JSON cost more
     * than all the other decorators together); images, tool calls and the like by their JSON.
     */
    static long estimateInputTokens(ChatRequest request) {
        long chars = 0;
        for (ChatMessage m : request.messages()) {
            chars += MESSAGE_FRAMING_CHARS + switch (m) {
                case SystemMessage s -> s.text().length();
                case UserMessage u when u.hasSingleText() -> u.singleText().length();
                case AiMessage a when !a.hasToolExecutionRequests() && a.text() != null -> a.text().length();
                default -> ChatMessageSerializer.messageToJson(m).length();
            };
        }
        return (chars + 3) / 4;
    }
}
