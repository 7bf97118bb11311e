package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.CallReport;
import dev.consilium.agents.provider.cache.CanonicalRequest;
import dev.consilium.agents.provider.cache.ResponseCache;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

/**
 * The streaming counterpart of {@link CacheChatModel}, sharing its store: a hit is delivered as one piece of text
 * followed by the stored response; a miss streams from the model and stores the complete response when it
 * arrives (a stream that fails stores nothing). Identical streams in flight are not joined: each streams itself.
 */
public final class CacheStreamingChatModel extends ForwardingStreamingChatModel {

    private final ResponseCache cache;
    private final String model;

    /** @param model the ref the cache files this model's responses under, e.g. {@code openai/gpt-4o-mini} */
    public CacheStreamingChatModel(StreamingChatModel delegate, ResponseCache cache, String model) {
        super(delegate);
        this.cache = cache;
        this.model = model;
    }

    @Override
    public void chat(ChatRequest request, ChatRequestOptions options, StreamingChatResponseHandler handler) {
        CanonicalRequest canonical;
        ChatResponse stored;
        try {
            canonical = CanonicalRequest.of(model,
                    delegate.defaultRequestParameters().overrideWith(request.parameters()), request.messages());
            stored = cache.lookup(canonical);
        } catch (RuntimeException e) {
            handler.onError(e); // a replay miss or a damaged entry, reported the streaming way
            return;
        }
        if (stored != null) {
            CallReport report = CallReport.from(options);
            if (report != null) report.cacheHit();
            String text = stored.aiMessage().text();
            if (text != null && !text.isEmpty()) handler.onPartialResponse(text);
            handler.onCompleteResponse(stored);
            return;
        }
        delegate.chat(request, options, new ForwardingStreamingHandler(handler) {
            @Override
            public void onCompleteResponse(ChatResponse response) {
                try {
                    cache.store(canonical, response);
                } catch (RuntimeException e) {
                    handler.onError(e);
                    return;
                }
                handler.onCompleteResponse(response);
            }
        });
    }
}
