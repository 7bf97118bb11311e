package dev.consilium.agents.provider;

import dev.consilium.agents.provider.ledger.UsageRecord;
import dev.langchain4j.model.chat.ChatRequestOptions;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the decorators learned about one call, for whoever made it: whether the response cache answered it and
 * what the ledger charged. The caller puts a fresh report in the call's listener attributes ({@link #options});
 * {@code CacheChatModel} and {@code LedgerChatModel} fill it in. It travels with the options rather than with
 * the thread because the deadline decorator runs the call on a thread of its own. One report per call; the
 * decorators may write it from another thread, hence the synchronization.
 */
public final class CallReport {

    private boolean cacheHit;
    private double costUsd;

    /** {@code base}'s listener attributes plus this report. */
    public ChatRequestOptions options(ChatRequestOptions base) {
        Map<Object, Object> attributes = new LinkedHashMap<>(base.listenerAttributes());
        attributes.put(CallReport.class, this);
        return ChatRequestOptions.builder().listenerAttributes(attributes).build();
    }

    /** The report carried by {@code options}, else null. */
    public static CallReport from(ChatRequestOptions options) {
        return options != null && options.listenerAttributes().get(CallReport.class) instanceof CallReport r ? r : null;
    }

    public synchronized void cacheHit() {
        cacheHit = true;
    }

    /** A fallback may charge several deployments for one call; the costs add up. */
    public synchronized void charged(UsageRecord record) {
        costUsd += record.costUsd();
    }

    public synchronized boolean wasCacheHit() {
        return cacheHit;
    }

    public synchronized double costUsd() {
        return costUsd;
    }
}
