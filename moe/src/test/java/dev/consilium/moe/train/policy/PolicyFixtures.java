package dev.consilium.moe.train.policy;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.model.LossWeights;
import dev.consilium.moe.tensor.NamedTensor;
import dev.consilium.moe.train.TrainOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model small enough to check by finite differences in seconds, and samples for it. */
final class PolicyFixtures {
    private PolicyFixtures() {}

    /** 2 layers (1 dense, 1 MoE with 4 routed experts in 2 groups and a shared one), no MTP. */
    static final ModelConfig CONFIG = ModelConfig.fromJson("""
            {"vocab_size": 16, "hidden_size": 16, "intermediate_size": 24, "moe_intermediate_size": 8,
             "num_hidden_layers": 2, "first_k_dense_replace": 1, "num_attention_heads": 2,
             "n_routed_experts": 4, "n_shared_experts": 1, "num_experts_per_tok": 2,
             "n_group": 2, "topk_group": 1, "scoring_func": "sigmoid", "routed_scaling_factor": 2.5,
             "norm_topk_prob": true, "q_lora_rank": null, "kv_lora_rank": 8, "qk_nope_head_dim": 4,
             "qk_rope_head_dim": 4, "v_head_dim": 4, "rope_theta": 10000.0, "rope_scaling": null,
             "max_position_embeddings": 64, "rms_norm_eps": 1e-6, "num_nextn_predict_layers": 0}
            """);

    /** Weights spread wider than the init, so every parameter's gradient stands well above float rounding. */
    static DeepSeekV3Model model(long seed) {
        DeepSeekV3Model m = new DeepSeekV3Model(CONFIG, seed);
        SplittableRandom r = new SplittableRandom(seed + 1000);
        for (NamedTensor t : m.parameters()) {
            boolean norm = t.shape().length == 1;
            for (int i = 0; i < t.size(); i++) {
                m.params()[t.offset() + i] = norm ? 1f + (float) r.nextGaussian() * 0.2f : (float) r.nextGaussian() * 0.3f;
            }
        }
        return m;
    }

    /** The objective alone (no auxiliary losses), no clipping, no bias update: the step is the optimizer's. */
    static TrainOptions options(int batchSize, float lr) {
        return TrainOptions.builder().batchSize(batchSize).seqLen(32).lr(lr).warmupSteps(0).minLrRatio(1)
                .steps(100).clipNorm(0).weightDecay(0).biasUpdateSpeed(0).lossWeights(LossWeights.NONE).build();
    }

    /** Token ids in [1, V): 0 is the padding id, so a gradient on its embedding row can only come from padding. */
    static int[] tokens(SplittableRandom r, int n) {
        return r.ints(n, 1, CONFIG.vocabSize()).toArray();
    }

    /** One rollout per advantage, prompts of 2-4 tokens, completions of 3-6, on-policy (no sampling log-probs). */
    static List<Rollout> rollouts(long seed, double... advantages) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Rollout> out = new ArrayList<>();
        for (double a : advantages) {
            out.add(Rollout.builder(tokens(r, r.nextInt(2, 5)), tokens(r, r.nextInt(3, 7))).advantage(a).reward(a).build());
        }
        return out;
    }

    static double sequenceLogProb(PolicyTrainer trainer, TrainingCompletion c) {
        double sum = 0;
        for (float lp : trainer.logProbs(List.of(c)).getFirst()) sum += lp;
        return sum;
    }

    /**
     * Compares {@code grads} with central differences of {@code objective} at a few entries of every tensor:
     * per entry within 2% or 2e-4 (float rounding of the loss over h = 3e-3, as the model's own check).
     */
    static void assertGradientMatches(DeepSeekV3Model m, float[] grads, DoubleSupplier objective) {
        SplittableRandom r = new SplittableRandom(9);
        List<String> failures = new ArrayList<>();
        double norm = 0;
        int checked = 0;
        for (NamedTensor t : m.parameters()) {
            for (int k = 0; k < 3; k++) {
                int i = t.offset() + r.nextInt(t.size());
                float old = m.params()[i], up = old + 3e-3f, down = old - 3e-3f;
                m.params()[i] = up;
                double fp = objective.getAsDouble();
                m.params()[i] = down;
                double fm = objective.getAsDouble();
                m.params()[i] = old;
                double numeric = (fp - fm) / ((double) up - down);
                norm += numeric * numeric;
                if (Math.abs(grads[i] - numeric) > 0.02 * Math.abs(numeric) + 2e-4) {
                    failures.add(t.name() + "[" + (i - t.offset()) + "]: analytic " + grads[i] + " numeric " + numeric);
                }
                checked++;
            }
        }
        assertTrue(Math.sqrt(norm) > 1e-2, "the numeric gradient is nearly zero; the check would prove nothing");
        assertTrue(failures.isEmpty(), failures.size() + " of " + checked + " entries differ:\n" + String.join("\n", failures));
    }
}
