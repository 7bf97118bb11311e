package dev.consilium.moe.train.policy;

/**
 * Rejection-sampling fine-tuning: rollouts whose reward reaches the threshold are trained on with plain
 * SFT (weight 1 on each trained completion token, loss the mean negative log-prob over all kept tokens);
 * the rest, and the abstained ones (reward NaN), are dropped and counted.
 *
 * @param threshold the lowest reward kept.
 */
public record Rft(double threshold) {

    public Rft {
        if (Double.isNaN(threshold)) throw new IllegalArgumentException("RFT threshold is NaN");
    }

    public boolean keeps(Rollout r) {
        return r.reward() >= threshold;
    }

    /**
     * What one RFT step measured.
     *
     * @param loss           mean -logp over the kept rollouts' trained tokens.
     * @param kept           rollouts trained on.
     * @param belowThreshold rollouts dropped for their reward.
     * @param abstained      rollouts dropped because their reward is NaN.
     * @param tokens         tokens trained on.
     */
    public record Metrics(double loss, int kept, int belowThreshold, int abstained, int tokens) {}
}
