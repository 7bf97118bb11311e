package dev.consilium.rewards.advantage;

/** How a group's rewards become advantages. */
public enum Normalization {
    /** (r - mean) / std, as GRPO does. */
    MEAN_STD,
    /** r - mean (Dr. GRPO: no division, so easy and hard groups weigh the same per reward gap). */
    MEAN,
    /** r - mean of the others (RLOO: the baseline excludes the sample itself). */
    LEAVE_ONE_OUT
}
