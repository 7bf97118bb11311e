package dev.consilium.rewards.judge;

/** The integer scale a pointwise judge scores on, and how the prompt describes it. */
public record Scale(int min, int max, String description) {

    public static final Scale ONE_TO_FIVE = new Scale(1, 5, "an integer from 1 (worst) to 5 (best)");
    public static final Scale ONE_TO_TEN = new Scale(1, 10, "an integer from 1 (worst) to 10 (best)");
    public static final Scale BINARY = new Scale(0, 1, "1 if the answer is correct and meets the rubric, otherwise 0");

    public Scale {
        if (max <= min) throw new IllegalArgumentException("scale needs min < max, got [" + min + ", " + max + "]");
    }
}
