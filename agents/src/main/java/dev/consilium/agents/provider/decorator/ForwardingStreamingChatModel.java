package dev.consilium.agents.provider.decorator;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

import java.util.Objects;
import java.util.Set;

/**
 * The base of the streaming decorators, as {@link ForwardingChatModel} is of the blocking ones: they override
 * {@link #chat(ChatRequest, ChatRequestOptions, StreamingChatResponseHandler)} so that the call's options (its
 * attribution, its listener attributes) reach the wrapped model, and report every failure through the handler.
 */
public abstract class ForwardingStreamingChatModel implements StreamingChatModel {

    protected final StreamingChatModel delegate;

    protected ForwardingStreamingChatModel(StreamingChatModel delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public abstract void chat(ChatRequest request, ChatRequestOptions options, StreamingChatResponseHandler handler);

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        chat(request, ChatRequestOptions.EMPTY, handler);
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return delegate.defaultRequestParameters();
    }

    @Override
    public ModelProvider provider() {
        return delegate.provider();
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return delegate.supportedCapabilities();
    }
}
