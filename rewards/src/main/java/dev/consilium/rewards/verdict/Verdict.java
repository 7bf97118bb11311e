package dev.consilium.rewards.verdict;

import java.util.Objects;

/**
 * What a judge or a reward function concluded about one answer: a {@link Score}, or an {@link Abstain} that says
 * why no score could be given. An abstention is never a low score: consumers mask it (advantages, pairs,
 * calibration count it apart) and every report shows the abstain rate.
 */
public sealed interface Verdict {

    Provenance provenance();

    /** A score on the judge's scale; {@code distribution} says how sure, and where it came from. */
    record Score(double value, Distribution distribution, String rationale, Provenance provenance) implements Verdict {
        public Score {
            Objects.requireNonNull(distribution, "distribution");
            Objects.requireNonNull(provenance, "provenance");
            rationale = rationale == null ? "" : rationale;
            if (Double.isNaN(value) || value < distribution.min() || value > distribution.max()) {
                throw new IllegalArgumentException("score " + value + " outside its scale [" + distribution.min()
                        + ", " + distribution.max() + "]");
            }
        }

        /** A single reading on [min, max], as a reward function or a parsed verdict line gives it. */
        public static Score point(double value, double min, double max, String rationale, Provenance provenance) {
            return new Score(value, Distribution.point(value, min, max), rationale, provenance);
        }

        /** The value mapped onto [0, 1] by its scale: the common unit rewards are combined in. */
        public double normalized() {
            double span = distribution.max() - distribution.min();
            return span == 0 ? 1 : (value - distribution.min()) / span;
        }

        /** How much of the distribution's mass sits on its most likely point (1 for a single reading). */
        public double confidence() {
            return distribution.agreement();
        }
    }

    /** No score: {@code reason} classifies it, {@code detail} says precisely what happened. */
    record Abstain(AbstainReason reason, String detail, Provenance provenance) implements Verdict {
        public Abstain {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(provenance, "provenance");
            detail = detail == null ? "" : detail;
        }
    }
}
