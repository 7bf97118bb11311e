package dev.consilium.runtime.loop;

import java.time.Instant;
import java.util.Locale;

/**
 * When a run stops early: a wall-clock deadline, and a budget in US dollars for what rollouts and judges
 * spend (API models report a cost per call; the built-in model costs nothing). Both are checked between
 * rounds, so a round that started finishes; a run stopped by a limit can be resumed with a larger one.
 * Null means no limit.
 */
public record Limits(Instant deadline, Double budgetUsd) {

    public static final Limits NONE = new Limits(null, null);

    public Limits {
        if (budgetUsd != null && !(budgetUsd >= 0)) throw new IllegalArgumentException("budget must be >= 0 USD, was " + budgetUsd);
    }

    /** Why the run must stop before its next round, or null when it may go on. */
    String exceeded(Instant now, double spentUsd) {
        if (deadline != null && !now.isBefore(deadline)) return "the deadline " + deadline + " has passed";
        if (budgetUsd != null && spentUsd > budgetUsd) {
            return String.format(Locale.ROOT, "the budget of %.2f USD is spent (%.4f USD so far)", budgetUsd, spentUsd);
        }
        return null;
    }
}
