package dev.consilium.moe.train.policy;

import java.util.Arrays;
import java.util.List;

/**
 * Group Relative Policy Optimization (DeepSeekMath; DeepSeek-R1), with DAPO's separate clip bounds. Per
 * trained completion token t of a rollout with advantage A, ratio r = exp(logp - logp_old) and reference
 * log-prob ref:
 * <pre>
 *   l_t = -min(r*A, clip(r, 1 - clipLow, 1 + clipHigh)*A) + beta * k3_t,   k3_t = exp(ref - logp) - (ref - logp) - 1
 * </pre>
 * k3 is Schulman's unbiased, always non-negative estimator of KL(policy || reference). The loss L aggregates
 * l_t per {@link Aggregation}. Its gradient reaches the model through the one loss path: the weights
 * w_t = -dL/dlogp_t * normalizer, recomputed from each forward's log-probs, go to
 * {@code backward(weights, normalizer)}. Where the clip is active (A > 0 and r > 1 + clipHigh, or A < 0 and
 * r < 1 - clipLow) the surrogate is constant in logp, so the token's policy term is exactly 0.
 *
 * <p>
 * logp, logp_old and ref are all log-probs of softmax(logits / temperature), the distribution rollouts sampled
 * at that temperature were drawn from (as veRL and TRL train): at any other temperature the samples would be
 * off-policy for the objective that is differentiated, and its ratio would not start at 1.
 *
 * @param beta        0 drops the KL term, and the reference model is then never run.
 * @param temperature the temperature the rollouts were sampled at (1: the model's own distribution).
 */
public record Grpo(double clipLow, double clipHigh, double beta, Aggregation aggregation, double temperature) {

    /** How per-token losses become the step's loss. */
    public enum Aggregation {
        /**
         * Sum over every trained completion token of the step, divided by their count (DAPO's token-level
         * loss, TRL's "dapo"): each token weighs the same, so a long completion weighs more than a short one.
         */
        TOKEN,
        /**
         * Mean over each rollout's trained tokens, then mean over rollouts (the original GRPO): each rollout
         * weighs the same, so a token of a long completion weighs less.
         */
        SEQUENCE
    }

    public Grpo {
        if (!(clipLow > 0 && clipLow < 1)) throw new IllegalArgumentException("GRPO clipLow must lie in (0, 1), was " + clipLow);
        if (!(clipHigh > 0) || Double.isInfinite(clipHigh)) throw new IllegalArgumentException("GRPO clipHigh must be positive, was " + clipHigh);
        if (!(beta >= 0) || Double.isInfinite(beta)) throw new IllegalArgumentException("GRPO beta must be finite and >= 0, was " + beta);
        if (aggregation == null) throw new IllegalArgumentException("GRPO aggregation is required");
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("GRPO temperature must be positive and finite (the rollouts' sampling"
                    + " temperature), was " + temperature);
        }
    }

    /** Defaults: PPO's clip 0.2 both ways, beta 0 (no reference needed), per-token aggregation, temperature 1. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * What one GRPO step measured, over the trained tokens of its non-abstained rollouts.
     *
     * @param loss          L, the objective the step descended.
     * @param meanRatio     mean r; exactly 1 on the first update after sampling when the sampling log-probs are
     *                      the policy's own.
     * @param clipFraction  share of tokens whose clip was active (policy term 0).
     * @param kl            mean k3 against the reference; NaN when beta is 0 (the reference is not run).
     * @param entropy       mean -logp of the sampled tokens: the Monte Carlo estimate of the policy's per-token
     *                      entropy when the rollouts are on-policy (the exact one needs every position's whole
     *                      distribution).
     * @param samples       rollouts in the loss.
     * @param tokens        trained tokens in the loss.
     * @param abstained     rollouts masked because their advantage is NaN.
     * @param zeroAdvantage rollouts in the loss with advantage 0 (zero-variance groups): no policy term.
     */
    public record Metrics(double loss, double meanRatio, double clipFraction, double kl, double entropy, int samples,
                          int tokens, int abstained, int zeroAdvantage) {}

    /** The step's divisor: trained tokens ({@link Aggregation#TOKEN}) or rollouts with a trained token. */
    float normalizer(List<Rollout> rollouts, List<PackedBatch> packed) {
        int tokens = 0, sequences = 0;
        for (PackedBatch p : packed) {
            for (int b = 0; b < p.batchSize(); b++) {
                int n = p.trainedTokens(b);
                tokens += n;
                if (n > 0) sequences++;
            }
        }
        int count = aggregation == Aggregation.TOKEN ? tokens : sequences;
        if (count == 0) {
            throw new IllegalArgumentException("GRPO step has no trained token: " + rollouts.size()
                    + " rollouts in the loss, every completion token masked");
        }
        return count;
    }

    /**
     * Writes w_t = -dL/dlogp_t * normalizer for every position of {@code p} (0 off the trained tokens) and
     * adds the tokens' terms to {@code tally}.
     *
     * @param rows      the rollouts of p's rows, in order.
     * @param logp      (B*T) the policy's log-probs of this forward.
     * @param ref       (B*T) the reference's log-probs, or null when beta is 0.
     */
    void weigh(PackedBatch p, List<Rollout> rows, float[] logp, float[] ref, float normalizer, float[] weights,
               Tally tally) {
        Arrays.fill(weights, 0f);
        double lo = 1 - clipLow, hi = 1 + clipHigh;
        for (int b = 0; b < p.batchSize(); b++) {
            Rollout r = rows.get(b);
            double A = r.advantage();
            int n = p.trainedTokens(b);
            // per-token coefficient of l_t in L * normalizer
            double c = aggregation == Aggregation.TOKEN ? 1 : 1.0 / n;
            for (int j = 0; j < p.length()[b]; j++) {
                if (!p.trained(b, j)) continue;
                int i = p.position(b, j);
                double lp = logp[i];
                double ratio = r.logProbs() == null ? 1 : Math.exp(lp - r.logProbs()[j]);
                boolean clipped = A > 0 && ratio > hi || A < 0 && ratio < lo;
                double surrogate = Math.min(ratio * A, Math.clamp(ratio, lo, hi) * A);
                // d surrogate / d logp = A * r, unless the clipped (constant) branch is the minimum
                double dSurrogate = clipped ? 0 : A * ratio;
                double loss = -surrogate, dLoss = -dSurrogate;
                if (beta > 0) {
                    double d = ref[i] - lp, e = Math.exp(d);
                    double k3 = e - d - 1;
                    loss += beta * k3;
                    dLoss += beta * (1 - e);
                    tally.kl += k3;
                }
                weights[i] = (float) (-c * dLoss);
                tally.loss += c * loss / normalizer;
                tally.ratio += ratio;
                if (clipped) tally.clipped++;
                tally.negLogProb -= lp;
                tally.tokens++;
            }
        }
    }

    Metrics metrics(Tally t, int samples, int abstained, int zeroAdvantage) {
        double n = t.tokens;
        return new Metrics(t.loss, t.ratio / n, t.clipped / n, beta > 0 ? t.kl / n : Double.NaN, t.negLogProb / n,
                samples, t.tokens, abstained, zeroAdvantage);
    }

    /** Sums over a step's tokens, in double. */
    static final class Tally {
        double loss, ratio, kl, negLogProb;
        int clipped, tokens;
    }

    public static final class Builder {
        private double clipLow = 0.2, clipHigh = 0.2, beta;
        private Aggregation aggregation = Aggregation.TOKEN;
        private double temperature = 1;

        private Builder() {}

        /** epsilon_low: the ratio's lower bound is 1 - clipLow. */
        public Builder clipLow(double v) { clipLow = v; return this; }
        /** epsilon_high: the ratio's upper bound is 1 + clipHigh (DAPO raises it to 0.28 against entropy collapse). */
        public Builder clipHigh(double v) { clipHigh = v; return this; }
        public Builder beta(double v) { beta = v; return this; }
        public Builder aggregation(Aggregation v) { aggregation = v; return this; }
        /** The rollouts' sampling temperature: log-probs are taken of softmax(logits / v). */
        public Builder temperature(double v) { temperature = v; return this; }

        public Grpo build() {
            return new Grpo(clipLow, clipHigh, beta, aggregation, temperature);
        }
    }
}
