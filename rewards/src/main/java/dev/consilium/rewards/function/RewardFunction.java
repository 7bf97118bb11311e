package dev.consilium.rewards.function;

import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Verdict;

/**
 * Turns a judged item into a verdict. Verifiable checks ({@link RewardFunctions}) and LLM judges are both reward
 * functions, so they compose ({@link Compose}). A function that cannot decide an item abstains with
 * {@link dev.consilium.rewards.verdict.AbstainReason#UNDECIDABLE}; it never guesses a score. Implementations
 * never throw for anything about the item or a model's output.
 */
public interface RewardFunction {

    /** The name verdicts carry in their provenance. */
    String name();

    Verdict evaluate(JudgedItem item);
}
