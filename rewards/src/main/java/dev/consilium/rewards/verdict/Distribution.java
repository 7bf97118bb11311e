package dev.consilium.rewards.verdict;

import java.util.List;

/**
 * The probability a verdict puts on each point of its scale [min, max]: one point with mass 1 for a single
 * reading, the judge's token probabilities for a G-Eval score, sample frequencies for a sampled estimate.
 * {@code source} says which, so a sampled estimate is never mistaken for a model probability.
 *
 * <p>The probabilities sum to 1, except from logprobs: there they are the model's own, and their sum is the mass
 * it put on the scale at all ({@link #mass()}); the rest went to tokens that are no score.
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
        for (double p : probabilities) {
            if (!(p >= 0) || Double.isInfinite(p)) throw new IllegalArgumentException("distribution has probability " + p + " in " + probabilities);
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

    /** The probability on the scale: 1, or less for logprobs where the judge also weighed tokens that are no score. */
    public double mass() {
        double total = 0;
        for (double p : probabilities) total += p;
        return total;
    }

    /**
     * The largest probability: for samples or a panel, the fraction that agree with the most common value; from
     * logprobs, the model's own probability of its most likely score, so mass off the scale lowers it.
     */
    public double agreement() {
        double best = 0;
        for (double p : probabilities) best = Math.max(best, p);
        return best / Math.max(1, mass());
    }

    /** The most likely point (the first of equals). */
    public double mode() {
        int best = 0;
        for (int i = 1; i < points.size(); i++) if (probabilities.get(i) > probabilities.get(best)) best = i;
        return points.get(best);
    }
}
