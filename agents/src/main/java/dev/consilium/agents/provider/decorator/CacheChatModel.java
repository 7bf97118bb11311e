package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.CallReport;
import dev.consilium.agents.provider.cache.CacheMode;
import dev.consilium.agents.provider.cache.CanonicalRequest;
import dev.consilium.agents.provider.cache.ResponseCache;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * Answers from a {@link ResponseCache} keyed on the canonical request: model, effective parameters (seed
 * included), messages. Outermost of the decorators, so a hit costs no rate-limit allowance, no retry and nothing
 * in the ledger. A hit is noted on the call's {@link CallReport}, if any.
 */
public final class CacheChatModel extends ForwardingChatModel {

    private final ResponseCache cache;
    private final String model;

    /** @param model the ref the cache files this model's responses under, e.g. {@code openai/gpt-4o-mini} */
    public CacheChatModel(ChatModel delegate, ResponseCache cache, String model) {
        super(delegate);
        this.cache = cache;
        this.model = model;
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
        if (cache.mode() == CacheMode.OFF) return delegate.chat(request, options);
        CanonicalRequest canonical = CanonicalRequest.of(model,
                delegate.defaultRequestParameters().overrideWith(request.parameters()), request.messages());
        boolean[] called = new boolean[1];
        ChatResponse response = cache.getOrCall(canonical, () -> {
            called[0] = true;
            return delegate.chat(request, options);
        });
        CallReport report = CallReport.from(options);
        if (report != null && !called[0]) report.cacheHit();
        return response;
    }
}
