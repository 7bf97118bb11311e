package dev.consilium.agents.provider.decorator;

import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

import java.util.Objects;

/**
 * The base of the streaming decorators, as {@link ForwardingChatModel} is of the blocking ones: they override
 * {@link #chat(ChatRequest, ChatRequestOptions, StreamingChatResponseHandler)} so that the call's options (its
 * attribution, its listener attributes) reach the wrapped model, and report every failure through the handler.
 */
public abstract class ForwardingStreamingChatModel extends WrappingModel implements StreamingChatModel {

    protected final StreamingChatModel delegate;

    protected ForwardingStreamingChatModel(StreamingChatModel delegate) {
        super(Objects.requireNonNull(delegate, "delegate"));
        this.delegate = delegate;
    }

    @Override
    public abstract void chat(ChatRequest request, ChatRequestOptions options, StreamingChatResponseHandler handler);

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        chat(request, ChatRequestOptions.EMPTY, handler);
    }
}
