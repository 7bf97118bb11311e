package dev.consilium.agents.workflow;

import dev.consilium.agents.Turn;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** How a {@link Vote} picks one of its samples. */
@FunctionalInterface
public interface VoteStrategy {

    Turn pick(List<Turn> samples);

    /**
     * The most common answer, compared by typed value where the agent has an output type, else by text with case,
     * surrounding space and a final period ignored. Ties go to the answer seen first.
     */
    static VoteStrategy majority() {
        return majority(t -> t.value() != null ? t.value() : normalized(t.text()));
    }

    /** The sample whose {@code key} is most common; ties go to the key seen first. */
    static VoteStrategy majority(Function<Turn, Object> key) {
        return samples -> {
            Map<Object, Integer> counts = new HashMap<>();
            int top = 0;
            for (Turn t : samples) top = Math.max(top, counts.merge(key.apply(t), 1, Integer::sum));
            for (Turn t : samples) if (counts.get(key.apply(t)) == top) return t;
            throw new IllegalArgumentException("vote: no samples");
        };
    }

    /** The sample with the highest score; ties go to the earlier sample. */
    static VoteStrategy highest(ToDoubleFunction<Turn> scorer) {
        return samples -> {
            Turn best = null;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (Turn t : samples) {
                double s = scorer.applyAsDouble(t);
                if (best == null || s > bestScore) {
                    best = t;
                    bestScore = s;
                }
            }
            return best;
        };
    }

    private static String normalized(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        return s.endsWith(".") ? s.substring(0, s.length() - 1).strip() : s;
    }
}
