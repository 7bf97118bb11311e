package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.Deployment;
import dev.consilium.agents.provider.ledger.Attribution;
import dev.consilium.agents.provider.ledger.Ledger;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

import java.util.Set;

/**
 * The streaming counterpart of {@link LedgerChatModel}: the budget is checked before the stream opens and the
 * call is recorded when the complete response (with its usage) arrives; a stream that ends in an error records
 * nothing.
 */
public final class LedgerStreamingChatModel implements StreamingChatModel {

    private final StreamingChatModel delegate;
    private final Ledger ledger;
    private final Deployment deployment;

    public LedgerStreamingChatModel(StreamingChatModel delegate, Ledger ledger, Deployment deployment) {
        this.delegate = delegate;
        this.ledger = ledger;
        this.deployment = deployment;
    }

    @Override
    public void chat(ChatRequest request, ChatRequestOptions options, StreamingChatResponseHandler handler) {
        try {
            ledger.checkBudget();
        } catch (RuntimeException spent) {
            handler.onError(spent); // streaming models report every failure through the handler
            return;
        }
        Attribution who = Attribution.from(options);
        delegate.chat(request, options, new StreamingChatResponseHandler() {
            @Override public void onPartialResponse(String s) { handler.onPartialResponse(s); }
            @Override public void onPartialResponse(PartialResponse p, PartialResponseContext c) { handler.onPartialResponse(p, c); }
            @Override public void onPartialThinking(PartialThinking p) { handler.onPartialThinking(p); }
            @Override public void onPartialThinking(PartialThinking p, PartialThinkingContext c) { handler.onPartialThinking(p, c); }
            @Override public void onPartialToolCall(PartialToolCall p) { handler.onPartialToolCall(p); }
            @Override public void onPartialToolCall(PartialToolCall p, PartialToolCallContext c) { handler.onPartialToolCall(p, c); }
            @Override public void onCompleteToolCall(CompleteToolCall t) { handler.onCompleteToolCall(t); }
            @Override public void onUnmappedRawEvent(Object e) { handler.onUnmappedRawEvent(e); }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                ledger.record(who, deployment, response);
                handler.onCompleteResponse(response);
            }

            @Override
            public void onError(Throwable error) {
                handler.onError(error);
            }
        });
    }

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
