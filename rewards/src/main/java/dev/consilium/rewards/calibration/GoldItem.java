package dev.consilium.rewards.calibration;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One gold-labelled judgment. {@code pointwise}: {@code answer} with {@code label} 1 (correct) or 0 (wrong), or a
 * grade. {@code pairwise}: {@code answer} (A) against {@code answerB}, {@code label} 1 when A is better, 0 when B
 * is. {@code reference} is optional. A pointwise item's {@code kind} may name what it probes instead (e.g.
 * {@code digit-off}, {@code hedged}), so a judge's agreement can be reported per kind of mistake.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GoldItem(String id, String kind, String task, String answer, String answerB, String reference, double label) {

    public static final String POINTWISE = "pointwise";
    public static final String PAIRWISE = "pairwise";

    public static GoldItem pointwise(String id, String task, String answer, String reference, double label) {
        return new GoldItem(id, POINTWISE, task, answer, null, reference, label);
    }

    /** A pointwise item of kind {@code kind}: what it probes (a digit off, a hedged answer...). */
    public static GoldItem pointwise(String id, String kind, String task, String answer, String reference, double label) {
        if (PAIRWISE.equals(kind)) throw new IllegalArgumentException("a pointwise item cannot be of kind pairwise");
        return new GoldItem(id, kind, task, answer, null, reference, label);
    }

    public static GoldItem pairwise(String id, String task, String answerA, String answerB, String reference, double label) {
        return new GoldItem(id, PAIRWISE, task, answerA, answerB, reference, label);
    }

    @JsonIgnore
    public boolean isPairwise() {
        return PAIRWISE.equals(kind);
    }
}
