package dev.consilium.moe.train.policy;

/**
 * One sampled completion of a prompt, as GRPO and rejection-sampling fine-tuning consume it.
 *
 * @param logProbs  the sampling policy's log-probability of each completion token (GRPO's pi_old), or null:
 *                  GRPO then takes the policy's own log-probs of the step, the on-policy case (ratio 1).
 *                  Entries under a false {@code mask} are not read.
 * @param reward    the judged reward; NaN when the judge abstained. RFT filters on it.
 * @param advantage the reward made relative to its group (computed by the caller); NaN when the judge
 *                  abstained: GRPO then masks the sample and counts it. A zero-variance group is the caller's
 *                  advantage 0: the sample stays in the loss (its policy term is 0, its KL term is not).
 */
public record Rollout(int[] prompt, int[] completion, float[] logProbs, double reward, double advantage,
                      boolean[] mask) implements TrainingCompletion {

    public Rollout {
        TrainingCompletion.validate("rollout", prompt, completion, mask);
        if (logProbs != null && logProbs.length != completion.length) {
            throw new IllegalArgumentException("rollout: " + logProbs.length + " sampling log-probs for "
                    + completion.length + " completion tokens");
        }
    }

    /** Reward and advantage start unset (NaN, i.e. abstained): set the ones the objective reads. */
    public static Builder builder(int[] prompt, int[] completion) {
        return new Builder(prompt, completion);
    }

    /** The same rollout with other sampling log-probs, e.g. the policy's own before several updates on one batch. */
    public Rollout withLogProbs(float[] logProbs) {
        return new Rollout(prompt, completion, logProbs, reward, advantage, mask);
    }

    /** The judge abstained on this rollout's advantage: GRPO masks it. */
    public boolean abstained() {
        return Double.isNaN(advantage);
    }

    public static final class Builder {
        private final int[] prompt, completion;
        private float[] logProbs;
        private double reward = Double.NaN, advantage = Double.NaN;
        private boolean[] mask;

        private Builder(int[] prompt, int[] completion) {
            this.prompt = prompt;
            this.completion = completion;
        }

        public Builder logProbs(float[] v) { logProbs = v; return this; }
        public Builder reward(double v) { reward = v; return this; }
        public Builder advantage(double v) { advantage = v; return this; }
        public Builder mask(boolean[] v) { mask = v; return this; }

        public Rollout build() {
            return new Rollout(prompt, completion, logProbs, reward, advantage, mask);
        }
    }
}
