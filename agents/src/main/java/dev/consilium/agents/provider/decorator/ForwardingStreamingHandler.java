package dev.consilium.agents.provider.decorator;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

import java.util.Objects;

/**
 * Passes every event of a stream on to the caller's handler. Streaming decorators extend it and override the
 * events they act on (the end of the stream, its error), or {@link #pass()} to hold events back.
 */
public class ForwardingStreamingHandler implements StreamingChatResponseHandler {

    protected final StreamingChatResponseHandler handler;

    public ForwardingStreamingHandler(StreamingChatResponseHandler handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    /** Asked before each event that carries part of the answer, and before the complete response: false drops it. */
    protected boolean pass() {
        return true;
    }

    @Override public void onPartialResponse(String s) { if (pass()) handler.onPartialResponse(s); }
    @Override public void onPartialResponse(PartialResponse p, PartialResponseContext c) { if (pass()) handler.onPartialResponse(p, c); }
    @Override public void onPartialThinking(PartialThinking p) { if (pass()) handler.onPartialThinking(p); }
    @Override public void onPartialThinking(PartialThinking p, PartialThinkingContext c) { if (pass()) handler.onPartialThinking(p, c); }
    @Override public void onPartialToolCall(PartialToolCall p) { if (pass()) handler.onPartialToolCall(p); }
    @Override public void onPartialToolCall(PartialToolCall p, PartialToolCallContext c) { if (pass()) handler.onPartialToolCall(p, c); }
    @Override public void onCompleteToolCall(CompleteToolCall t) { if (pass()) handler.onCompleteToolCall(t); }
    @Override public void onUnmappedRawEvent(Object e) { if (pass()) handler.onUnmappedRawEvent(e); }

    @Override
    public void onCompleteResponse(ChatResponse response) {
        if (pass()) handler.onCompleteResponse(response);
    }

    @Override
    public void onError(Throwable error) {
        handler.onError(error);
    }
}
