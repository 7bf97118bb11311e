package dev.consilium.moe.train;

import dev.consilium.moe.model.LossWeights;

/**
 * How a training run updates the model. Defaults follow common small-model practice and DeepSeek-V3 where
 * it gives a value (MTP weight 0.3, balance-loss weight 1e-4). The bias update speed is 1e-2, not
 * DeepSeek-V3's 1e-3: its runs last hundreds of thousands of steps, ours hundreds, and at 1e-3 the biases
 * barely move before the run ends.
 *
 * @param gradAccumulation micro-batches averaged into one optimizer step.
 * @param clipNorm         global gradient-norm bound; 0 disables clipping.
 * @param biasUpdateSpeed  gamma of auxiliary-loss-free balancing; 0 disables it.
 * @param sequential       batches walk the data in order (reproducible by an independent implementation)
 *                         instead of sampling windows at random offsets.
 */
public record TrainOptions(Optimizer optimizer, float lr, float minLrRatio, long warmupSteps, long steps,
                           int batchSize, int seqLen, int gradAccumulation, float clipNorm, float weightDecay,
                           float biasUpdateSpeed, LossWeights lossWeights, long seed, boolean sequential) {

    public enum Optimizer { ADAMW, SGD }

    public TrainOptions {
        if (!(lr > 0)) throw new IllegalArgumentException("lr must be positive, was " + lr);
        if (minLrRatio < 0 || minLrRatio > 1) throw new IllegalArgumentException("min lr ratio must lie in [0, 1]");
        if (steps <= 0) throw new IllegalArgumentException("steps must be positive, was " + steps);
        if (warmupSteps < 0) throw new IllegalArgumentException("warmup steps must not be negative");
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, was " + batchSize);
        if (seqLen <= 0) throw new IllegalArgumentException("sequence length must be positive, was " + seqLen);
        if (gradAccumulation <= 0) throw new IllegalArgumentException("gradient accumulation must be positive");
        if (clipNorm < 0) throw new IllegalArgumentException("clip norm must not be negative");
        if (biasUpdateSpeed < 0) throw new IllegalArgumentException("bias update speed must not be negative");
    }

    public static Builder builder() {
        return new Builder();
    }

    public int tokensPerStep() {
        return batchSize * seqLen * gradAccumulation;
    }

    public static final class Builder {
        private Optimizer optimizer = Optimizer.ADAMW;
        private float lr = 3e-3f;
        private float minLrRatio = 0.1f;
        private long warmupSteps = -1;
        private long steps = 1000;
        private int batchSize = 8;
        private int seqLen = 256;
        private int gradAccumulation = 1;
        private float clipNorm = 1f;
        private float weightDecay = 0.1f;
        private float biasUpdateSpeed = 1e-2f;
        private LossWeights lossWeights = LossWeights.DEEPSEEK_V3;
        private long seed = 1;
        private boolean sequential;

        public Builder optimizer(Optimizer v) { optimizer = v; return this; }
        public Builder lr(float v) { lr = v; return this; }
        public Builder minLrRatio(float v) { minLrRatio = v; return this; }
        /** Defaults to 5% of the steps. */
        public Builder warmupSteps(long v) { warmupSteps = v; return this; }
        public Builder steps(long v) { steps = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder seqLen(int v) { seqLen = v; return this; }
        public Builder gradAccumulation(int v) { gradAccumulation = v; return this; }
        public Builder clipNorm(float v) { clipNorm = v; return this; }
        public Builder weightDecay(float v) { weightDecay = v; return this; }
        public Builder biasUpdateSpeed(float v) { biasUpdateSpeed = v; return this; }
        public Builder lossWeights(LossWeights v) { lossWeights = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder sequential(boolean v) { sequential = v; return this; }

        public TrainOptions build() {
            long warmup = warmupSteps >= 0 ? warmupSteps : steps / 20;
            return new TrainOptions(optimizer, lr, minLrRatio, warmup, steps, batchSize, seqLen, gradAccumulation,
                    clipNorm, weightDecay, biasUpdateSpeed, lossWeights, seed, sequential);
        }
    }
}
