package dev.consilium.agents.provider.ledger;

/**
 * One provider call as the ledger saw it.
 *
 * @param deployment the deployment that served the call (after any fallback)
 * @param model      its model ref, e.g. {@code openai/gpt-4o-mini}
 * @param costUsd    0 when the model has no price, in which case {@code priced} is false
 */
public record UsageRecord(String run, String agent, String deployment, String model, Usage usage, double costUsd,
                          boolean priced) {}
