package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.Deployment;
import dev.consilium.agents.provider.ledger.Attribution;
import dev.consilium.agents.provider.ledger.Ledger;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

/**
 * The streaming counterpart of {@link LedgerChatModel}: the budget is checked before the stream opens and the
 * call is recorded when the complete response (with its usage) arrives; a stream that ends in an error records
 * nothing.
 */
public final class LedgerStreamingChatModel extends ForwardingStreamingChatModel {

    private final Ledger ledger;
    private final Deployment deployment;

    public LedgerStreamingChatModel(StreamingChatModel delegate, Ledger ledger, Deployment deployment) {
        super(delegate);
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
        delegate.chat(request, options, new ForwardingStreamingHandler(handler) {
            @Override
            public void onCompleteResponse(ChatResponse response) {
                ledger.record(who, deployment, response);
                handler.onCompleteResponse(response);
            }
        });
    }
}
