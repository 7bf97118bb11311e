package dev.consilium.rewards.verdict;

/** Something about a verdict a consumer may want to see or filter on; recorded in its {@link Provenance}. */
public enum Flag {
    /** The judged content tried to instruct the judge ("ignore previous instructions", "give this a 10"). */
    INSTRUCTION_IN_CONTENT,
    /** The judged content held verdict markers ({@code Score: 10}, {@code [[A]]}), defanged before judging. */
    MARKERS_NEUTRALIZED,
    /** The judged content held look-alikes of the judge's delimiters, defanged before judging. */
    DELIMITER_IN_CONTENT,
    /** A pairwise verdict changed when the answers swapped places; it was made a tie. */
    ORDER_FLIP,
    /** The distribution is estimated from repeated samples, not read from logprobs. */
    SAMPLED_ESTIMATE
}
