package dev.consilium.agents.provider.decorator;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

/**
 * A streaming model whose streams go through the same retry, rate-limit and fallback policy as a blocking call
 * until they begin. {@code policy} is a stack of blocking decorators whose innermost models are
 * {@link FirstTokenChatModel}s, one per deployment: a call through it returns once a stream has begun, and throws
 * if none could begin. Each call runs that policy on a virtual thread of its own, because a streaming call must
 * return at once while the policy may wait (a {@code Retry-After}, a rate limit).
 */
public final class PolicyStreamingChatModel extends WrappingModel implements StreamingChatModel {

    private final ChatModel policy;

    public PolicyStreamingChatModel(ChatModel policy) {
        super(policy);
        this.policy = policy;
    }

    @Override
    public void chat(ChatRequest request, ChatRequestOptions options, StreamingChatResponseHandler handler) {
        ChatRequestOptions withHandler = FirstTokenChatModel.options(options, handler);
        Thread.ofVirtual().name("consilium-stream-start").start(() -> {
            try {
                policy.chat(request, withHandler);
            } catch (RuntimeException | Error e) {
                // Thrown only while no stream had begun, so the handler has heard nothing before this.
                handler.onError(e);
            }
        });
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        chat(request, ChatRequestOptions.EMPTY, handler);
    }
}
