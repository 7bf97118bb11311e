package dev.consilium.moe.train.policy;

import dev.consilium.moe.model.DeepSeekV3Model;

/**
 * The frozen model the KL term of GRPO and the margins of DPO are measured against: only its log-probs are
 * read, never its gradients. {@code model::logProbs} of any {@link DeepSeekV3Model} is one, so a reference
 * loaded from its own checkpoint works as well as a copy.
 */
@FunctionalInterface
public interface ReferenceModel {

    /**
     * log p(targets[n] | tokens[..n]) for a (B, T) batch under softmax(logits / temperature), as
     * {@link DeepSeekV3Model#logProbs(int[], int[], int, int, float)}: GRPO's KL term compares policy and
     * reference at the temperature the rollouts were sampled at.
     */
    float[] logProbs(int[] tokens, int[] targets, int B, int T, float temperature);

    /** At temperature 1, the model's own distribution. */
    default float[] logProbs(int[] tokens, int[] targets, int B, int T) {
        return logProbs(tokens, targets, B, T, 1f);
    }

    /**
     * A copy of {@code policy}'s current weights and routing biases that later training of {@code policy}
     * does not touch: the usual reference, the policy as it was when the run (or round) began.
     */
    static ReferenceModel frozenCopyOf(DeepSeekV3Model policy) {
        DeepSeekV3Model copy = DeepSeekV3Model.unloaded(policy.config());
        System.arraycopy(policy.params(), 0, copy.params(), 0, policy.params().length);
        System.arraycopy(policy.bufferData(), 0, copy.bufferData(), 0, policy.bufferData().length);
        return copy::logProbs;
    }
}
