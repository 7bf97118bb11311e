package dev.consilium.agents.provider.ledger;

/** A sum over usage records. */
public record Totals(long calls, Usage usage, double costUsd) {

    public static final Totals ZERO = new Totals(0, Usage.ZERO, 0);

    public Totals plus(UsageRecord r) {
        return new Totals(calls + 1, usage.plus(r.usage()), costUsd + r.costUsd());
    }
}
