package dev.consilium.moe.generate;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tokenizer.BpeTokenizer;

/** Small models and a tokenizer for generation tests: every variant of MLA and the feed-forward. */
final class TinyModels {
    private TinyModels() {}

    /**
     * 3 layers (firstDense dense, the rest MoE: 8 experts in 4 groups, top-2 of 2 groups, 1 shared),
     * vocab 320 so a trained tokenizer fits.
     */
    static ModelConfig config(boolean qLora, boolean yarn, int firstDense, int mtp) {
        return ModelConfig.fromJson("""
                {"vocab_size": 320, "hidden_size": 32, "intermediate_size": 48, "moe_intermediate_size": 16,
                 "num_hidden_layers": 3, "first_k_dense_replace": %d, "num_attention_heads": 2,
                 "n_routed_experts": 8, "n_shared_experts": 1, "num_experts_per_tok": 2,
                 "n_group": 4, "topk_group": 2, "scoring_func": "sigmoid", "routed_scaling_factor": 2.5,
                 "norm_topk_prob": true, "q_lora_rank": %s, "kv_lora_rank": 16, "qk_nope_head_dim": 8,
                 "qk_rope_head_dim": 8, "v_head_dim": 12, "rope_theta": 10000.0, "rope_scaling": %s,
                 "max_position_embeddings": 96, "rms_norm_eps": 1e-6, "num_nextn_predict_layers": %d}
                """.formatted(firstDense, qLora ? "24" : "null",
                yarn ? """
                        {"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 24,
                         "beta_fast": 32, "beta_slow": 1, "mscale": 1.0, "mscale_all_dim": 1.0}"""
                        : "null",
                mtp));
    }

    /**
     * A random model whose weights are scaled up from the training init, so that logits spread and greedy
     * paths are not decided by ties of near-uniform predictions.
     */
    static DeepSeekV3Model model(ModelConfig c, long seed) {
        DeepSeekV3Model m = new DeepSeekV3Model(c, seed);
        float[] p = m.params();
        for (int i = 0; i < p.length; i++) p[i] *= 4f;
        return m;
    }

    static DeepSeekV3Model model(long seed) {
        return model(config(true, false, 1, 1), seed);
    }

    private static BpeTokenizer tokenizer;

    /** A byte-level BPE trained on a little mixed-script text, with the DeepSeek-V3 special tokens. */
    static synchronized BpeTokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = BpeTokenizer.trainer().vocabSize(300).minFrequency(2)
                    .train("the model and the expert route the token to the latent attention. café naïve 数学 专家 😀 "
                            .repeat(20));
        }
        return tokenizer;
    }
}
