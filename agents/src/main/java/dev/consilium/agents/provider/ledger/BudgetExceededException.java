package dev.consilium.agents.provider.ledger;

import dev.consilium.agents.provider.ProviderException;

/** A ledger's budget is spent: no new provider call starts. Never retried and never a reason to fall back. */
public class BudgetExceededException extends ProviderException {
    public BudgetExceededException(String message) {
        super(message);
    }
}
