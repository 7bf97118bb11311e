package dev.consilium.rewards.verdict;

import java.util.List;

/**
 * The probability a verdict puts on each point of its scale [min, max]: one point with mass 1 for a single
 * reading, the judge's token probabilities for a G-Eval score, sample frequencies for a sampled estimate.
 * {@code source} says which, so a sampled estimate is never mistaken for a model probability.
 */
public record Distribution(double min, double max, List<Double> points, List<Double> probabilities, Source source) {

    public enum Source { POINT, LOGPROBS, SAMPLES, POOLED }

    public Distribution {
        points = List.copyOf(points);
        probabilities = List.copyOf(probabilities);
        if (points.size() != probabilities.size() || points.isEmpty()) {
            throw new IllegalArgumentException("distribution needs one probability per point, got " + points.size()
                    + " points and " + probabilities.size() + " probabilities");
        }
    }

    public static Distribution point(double value, double min, double max) {
        return new Distribution(min, max, List.of(value), List.of(1.0), Source.POINT);
    }

    /** The expectation over the points. */
    public double mean() {
        double m = 0, total = 0;
        for (int i = 0; i < points.size(); i++) {
            m += points.get(i) * probabilities.get(i);
            total += probabilities.get(i);
        }
        return m / total;
    }

    /** The largest probability: for samples or a panel, the fraction that agree with the most common value. */
    public double agreement() {
        double best = 0, total = 0;
        for (double p : probabilities) {
            best = Math.max(best, p);
            total += p;
        }
        return best / total;
    }

    /** The most likely point (the first of equals). */
    public double mode() {
        int best = 0;
        for (int i = 1; i < points.size(); i++) if (probabilities.get(i) > probabilities.get(best)) best = i;
        return points.get(best);
    }
}
