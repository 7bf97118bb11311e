package dev.consilium.moe.model;

/**
 * Weights of the auxiliary training losses added to the token cross-entropy.
 *
 * @param mtp     lambda: the multi-token prediction losses add (lambda / D) * sum_k MTP_k; 0 skips the MTP
 *                modules entirely (no compute, no gradients for them)
 * @param balance alpha of the sequence-wise balance loss, summed over MoE layers; 0 disables it
 */
public record LossWeights(float mtp, float balance) {
    /** The DeepSeek-V3 report's values: lambda 0.3 (first 10T tokens), alpha 0.0001. */
    public static final LossWeights DEEPSEEK_V3 = new LossWeights(0.3f, 1e-4f);
    public static final LossWeights NONE = new LossWeights(0f, 0f);

    public LossWeights {
        if (!(mtp >= 0f) || !(balance >= 0f) || Float.isInfinite(mtp) || Float.isInfinite(balance)) {
            throw new IllegalArgumentException("loss weights must be finite and >= 0, were mtp=" + mtp
                    + " balance=" + balance);
        }
    }
}
