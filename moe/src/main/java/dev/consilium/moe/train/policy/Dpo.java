package dev.consilium.moe.train.policy;

import java.util.Arrays;

/**
 * Direct Preference Optimization (Rafailov et al. 2023). Per pair, with sequence log-probs (sums over the
 * completion tokens) pi_c, pi_r under the policy and ref_c, ref_r under the frozen reference:
 * <pre>
 *   z = beta * ((pi_c - ref_c) - (pi_r - ref_r)),   l = -log sigmoid(z)
 * </pre>
 * and L is the mean of l over the step's pairs. dl/dpi_c = -beta * sigmoid(-z) = -dl/dpi_r, the same for
 * every token of a sequence, so the one loss path takes weight beta * sigmoid(-z) on each chosen token and
 * its negative on each rejected one, over a normalizer of the pair count. Both sides of a pair share a
 * micro-batch, since each side's weight needs the other's log-prob.
 *
 * @param beta the inverse temperature: how far from the reference the policy may move for a given margin.
 */
public record Dpo(double beta) {

    public Dpo {
        if (!(beta > 0) || Double.isInfinite(beta)) throw new IllegalArgumentException("DPO beta must be positive, was " + beta);
    }

    /** DPO's usual beta 0.1. */
    public static Dpo defaults() {
        return new Dpo(0.1);
    }

    /**
     * What one DPO step measured.
     *
     * @param loss         L, the mean of -log sigmoid(z).
     * @param rewardMargin mean z: the implicit reward of chosen minus rejected (TRL's rewards/margins).
     * @param accuracy     share of pairs with z > 0.
     * @param pairs        pairs in the step.
     */
    public record Metrics(double loss, double rewardMargin, double accuracy, int pairs) {}

    /**
     * Writes the weights of one micro-batch whose rows are k chosen sides, then the same k pairs' rejected
     * sides, and adds the pairs to {@code tally}.
     *
     * @param reference per pair {ref_c, ref_r}.
     */
    void weigh(PackedBatch p, float[] logp, double[][] reference, float[] weights, Tally tally) {
        Arrays.fill(weights, 0f);
        int k = p.batchSize() / 2;
        for (int i = 0; i < k; i++) {
            double z = beta * ((p.completionLogProb(i, logp) - reference[i][0])
                    - (p.completionLogProb(k + i, logp) - reference[i][1]));
            float w = (float) (beta * sigmoid(-z));
            for (int j = 0; j < p.length()[i]; j++) weights[p.position(i, j)] = w;
            for (int j = 0; j < p.length()[k + i]; j++) weights[p.position(k + i, j)] = -w;
            tally.loss += softplus(-z);
            tally.margin += z;
            if (z > 0) tally.correct++;
            tally.pairs++;
        }
    }

    Metrics metrics(Tally t) {
        return new Metrics(t.loss / t.pairs, t.margin / t.pairs, (double) t.correct / t.pairs, t.pairs);
    }

    private static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    /** log(1 + e^x) without overflow: -log sigmoid(z) = softplus(-z). */
    private static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    static final class Tally {
        double loss, margin;
        int correct, pairs;
    }
}
