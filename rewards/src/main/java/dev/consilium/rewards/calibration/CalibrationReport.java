package dev.consilium.rewards.calibration;

import java.util.Locale;

/**
 * How far a judge can be trusted on a gold set. Rates are over the judgments that scored; abstentions are
 * counted in {@code abstainRate} (over every judgment, probes included) and never as wrong or right.
 *
 * @param accuracy            pointwise: share of scored items whose pass/fail (normalized score >= 0.5) matches the label
 * @param kappa               Cohen's kappa of those pass/fail decisions against the labels
 * @param spearman            rank correlation of the normalized scores with the labels
 * @param lengthBiasSlope     slope of (normalized score - label) on answer length in thousands of chars: 0 is unbiased,
 *                            positive means longer answers are over-scored
 * @param pairwiseAccuracy    share of scored pairs whose winner matches the label (a tie is not a match)
 * @param orderConsistency    share of scored pairs whose verdict survived swapping the answers
 * @param probeFalsePositiveRate share of probe judgments (over all probes) that passed
 */
public record CalibrationReport(String judge, int pointwiseItems, int pairwiseItems, int probes,
                                double accuracy, double kappa, double spearman, double lengthBiasSlope,
                                double pairwiseAccuracy, double orderConsistency, double probeFalsePositiveRate,
                                double abstainRate, long inputTokens, long outputTokens, double costUsd) {

    /** A plain-text table, one figure per line. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append("judge                     ").append(judge).append('\n');
        row(sb, "pointwise items", pointwiseItems);
        row(sb, "pairwise items", pairwiseItems);
        row(sb, "probe judgments", probes);
        row(sb, "accuracy", accuracy);
        row(sb, "cohen's kappa", kappa);
        row(sb, "spearman", spearman);
        row(sb, "length-bias slope /kchar", lengthBiasSlope);
        row(sb, "pairwise accuracy", pairwiseAccuracy);
        row(sb, "order consistency", orderConsistency);
        row(sb, "probe false-positive rate", probeFalsePositiveRate);
        row(sb, "abstain rate", abstainRate);
        sb.append(String.format(Locale.ROOT, "%-26s%d in, %d out, $%.4f%n", "tokens, cost", inputTokens, outputTokens, costUsd));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, double v) {
        sb.append(String.format(Locale.ROOT, "%-26s%s%n", name, Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v)));
    }

    private static void row(StringBuilder sb, String name, int v) {
        sb.append(String.format(Locale.ROOT, "%-26s%d%n", name, v));
    }
}
