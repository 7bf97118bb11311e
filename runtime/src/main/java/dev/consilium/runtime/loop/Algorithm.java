package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.moe.train.policy.PolicyStep;
import dev.consilium.moe.train.policy.PolicyTrainer;

/**
 * How the policy learns from a round: GRPO on every policy turn's advantage, RFT on the turns rewarded over a
 * threshold, or DPO on pairs of a group's best and worst first turns. Each owns its defaults ({@code defaults()});
 * all share a learning rate, {@code minibatches} (the optimizer steps a round's samples are split into; more
 * steps move further per round, which GRPO's clipped ratio keeps in check) and {@code warmup} (optimizer steps
 * over which the learning rate ramps up from 0: the optimizer starts fresh, and Adam's first steps move every
 * weight by about lr whatever its gradient's size; a few steps of warmup let its moment estimates settle).
 */
public sealed interface Algorithm {

    double lr();

    int minibatches();

    int warmup();

    /** Whether training needs a frozen copy of the starting policy (a KL term, or DPO's reference log-probs). */
    boolean needsReference();

    /** How many units a round's batch offers this algorithm: samples, or pairs for DPO. */
    int size(TrainingBatch batch);

    /** One optimizer step on units [from, to) of the batch; its metrics go into {@code metrics}. */
    Step step(PolicyTrainer trainer, TrainingBatch batch, int from, int to, ObjectNode metrics);

    /** The batch as the round's steps train on it, before the first: what must be fixed from the policy as it sampled. */
    default TrainingBatch beforeSteps(PolicyTrainer trainer, TrainingBatch batch) {
        return batch;
    }

    /** A step and how many of its units carried a gradient. */
    record Step(PolicyStep<?> step, int trained) {}

    /**
     * GRPO: clipped ratio with separate low and high clip, beta: k3 KL to the starting policy (0 skips it). Its log-probs,
     * pi_old's among them, are taken at the rollouts' sampling temperature ({@link TrainingBatch#temperature()}).
     */
    record Grpo(double lr, double clipLow, double clipHigh, double beta, int minibatches, int warmup) implements Algorithm {
        public static Grpo defaults() {
            return new Grpo(2e-4, 0.2, 0.28, 0.0, 1, 0);
        }

        @Override
        public boolean needsReference() {
            return beta > 0;
        }

        @Override
        public int size(TrainingBatch batch) {
            return batch.samples().size();
        }

        /**
         * pi_old is the policy as it sampled, at the sampling temperature. The log-probs the model reported while sampling
         * are its temperature-1 ones, so they are pi_old only for rollouts sampled at temperature 1 (there they equal the
         * policy's own to rounding, and are kept). At another temperature one step needs none (its own log-probs are
         * pi_old: ratio 1), and several steps on one batch need it fixed before the first: the policy, unchanged since
         * it sampled, computes it once.
         */
        @Override
        public TrainingBatch beforeSteps(PolicyTrainer trainer, TrainingBatch batch) {
            if (batch.temperature() == 1) return batch;
            if (minibatches <= 1) return batch.withSamplingLogProbs(null);
            return batch.withSamplingLogProbs(trainer.logProbs(batch.samples(), batch.temperature()));
        }

        @Override
        public Step step(PolicyTrainer trainer, TrainingBatch batch, int from, int to, ObjectNode m) {
            var grpo = dev.consilium.moe.train.policy.Grpo.builder().clipLow(clipLow).clipHigh(clipHigh).beta(beta)
                    .temperature(batch.temperature()).build();
            var s = trainer.step(grpo, batch.samples().subList(from, to));
            m.put("loss", s.metrics().loss()).put("clip_fraction", s.metrics().clipFraction()).put("entropy", s.metrics().entropy())
                    .put("ratio", s.metrics().meanRatio());
            if (!Double.isNaN(s.metrics().kl())) m.put("kl", s.metrics().kl());
            return new Step(s, s.metrics().samples() - s.metrics().zeroAdvantage());
        }
    }

    /** Rejection-sampling fine-tuning: supervised steps on the turns rewarded at least {@code threshold}. */
    record Rft(double lr, double threshold, int minibatches, int warmup) implements Algorithm {
        public static Rft defaults() {
            return new Rft(2e-4, 0.5, 1, 0);
        }

        @Override
        public boolean needsReference() {
            return false;
        }

        @Override
        public int size(TrainingBatch batch) {
            return batch.samples().size();
        }

        @Override
        public Step step(PolicyTrainer trainer, TrainingBatch batch, int from, int to, ObjectNode m) {
            var s = trainer.step(new dev.consilium.moe.train.policy.Rft(threshold), batch.samples().subList(from, to));
            m.put("loss", s.metrics().loss());
            return new Step(s, s.metrics().kept());
        }
    }

    /** DPO with strength {@code beta} on each group's best-versus-worst pair of first turns. */
    record Dpo(double lr, double beta, int minibatches, int warmup) implements Algorithm {
        public static Dpo defaults() {
            return new Dpo(2e-4, 0.1, 1, 0);
        }

        @Override
        public boolean needsReference() {
            return true;
        }

        @Override
        public int size(TrainingBatch batch) {
            return batch.pairs().size();
        }

        @Override
        public Step step(PolicyTrainer trainer, TrainingBatch batch, int from, int to, ObjectNode m) {
            var s = trainer.step(new dev.consilium.moe.train.policy.Dpo(beta), batch.pairs().subList(from, to));
            m.put("loss", s.metrics().loss()).put("dpo_margin", s.metrics().rewardMargin()).put("dpo_accuracy", s.metrics().accuracy());
            return new Step(s, s.metrics().pairs());
        }
    }
}
