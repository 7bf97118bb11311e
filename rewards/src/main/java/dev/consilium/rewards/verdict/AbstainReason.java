package dev.consilium.rewards.verdict;

/** Why a verdict is an {@link Verdict.Abstain}. */
public enum AbstainReason {
    /** The judge's output holds no verdict at its end (or its JSON does not parse). */
    UNPARSEABLE,
    /** The judge gave two different verdicts (two final lines, duplicate JSON keys). */
    AMBIGUOUS,
    /** The judge's verdict lies outside the scale it was asked for. */
    OUT_OF_RANGE,
    /** The judge declined to judge. */
    REFUSAL,
    /** The judged answer itself cannot be judged: empty, or over the judge's size limit. */
    MALFORMED_ANSWER,
    /** A reward function cannot decide this item (no reference, a reference of the wrong kind). */
    UNDECIDABLE,
    /** The judge model did not answer within its deadline. */
    TIMEOUT,
    /** The run's budget stopped the call. */
    BUDGET_EXCEEDED,
    /** The judge model failed (a provider error after retries). */
    ERROR,
    /** Every member of a panel, or every sample, abstained. */
    ALL_ABSTAINED
}
