package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.CallReport;
import dev.consilium.agents.provider.Deployment;
import dev.consilium.agents.provider.ledger.Attribution;
import dev.consilium.agents.provider.ledger.Ledger;
import dev.consilium.agents.provider.ledger.UsageRecord;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * Records every successful call of one deployment in a {@link Ledger}, charged to the call's
 * {@link Attribution}, and refuses to start a call once the ledger's budget is spent. Innermost of the
 * decorators, right around the vendor model: it sees each real attempt, and a failed attempt (which the
 * vendor does not bill) records nothing. The charge is also added to the call's {@link CallReport}, if any.
 */
public final class LedgerChatModel extends ForwardingChatModel {

    private final Ledger ledger;
    private final Deployment deployment;

    public LedgerChatModel(ChatModel delegate, Ledger ledger, Deployment deployment) {
        super(delegate);
        this.ledger = ledger;
        this.deployment = deployment;
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
        ledger.checkBudget();
        ChatResponse response = delegate.chat(request, options);
        UsageRecord charged = ledger.record(Attribution.from(options), deployment, response);
        CallReport report = CallReport.from(options);
        if (report != null) report.charged(charged);
        return response;
    }
}
