package dev.consilium.moe.model;

/**
 * One training batch: B sequences of T tokens, row-major (B*T). targets[n] is the token the model should
 * predict after tokens[n] (normally tokens shifted by one). The loss is
 * {@code -sum_n weights[n] * logp(targets[n]) / normalizer}; a weight of 0 masks a position, and the weights
 * carry whatever the objective needs (1 for SFT targets, per-token coefficients for GRPO or DPO).
 *
 * @param normalizer the divisor of the weighted sum; {@link #of} uses sum |w| (a token mean for 0/1 masks)
 */
public record Batch(int[] tokens, int[] targets, float[] weights, float normalizer, int batchSize, int seqLen) {

    public Batch {
        if (batchSize <= 0 || seqLen <= 0) {
            throw new IllegalArgumentException("batch shape must be positive, was " + batchSize + " x " + seqLen);
        }
        int n = batchSize * seqLen;
        if (tokens.length != n || targets.length != n || weights.length != n) {
            throw new IllegalArgumentException("batch " + batchSize + " x " + seqLen + " needs " + n
                    + " tokens, targets and weights; got " + tokens.length + ", " + targets.length + ", "
                    + weights.length);
        }
        if (!(normalizer > 0f) || Float.isInfinite(normalizer)) {
            throw new IllegalArgumentException("normalizer must be positive and finite, was " + normalizer);
        }
    }

    /** A batch whose loss is the weighted mean: normalizer = sum |w| (1 when every weight is 0). */
    public static Batch of(int[] tokens, int[] targets, float[] weights, int batchSize, int seqLen) {
        double sum = 0;
        for (float w : weights) sum += Math.abs(w);
        return new Batch(tokens, targets, weights, sum > 0 ? (float) sum : 1f, batchSize, seqLen);
    }
}
