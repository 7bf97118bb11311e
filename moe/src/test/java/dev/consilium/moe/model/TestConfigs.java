package dev.consilium.moe.model;

import dev.consilium.moe.config.ModelConfig;

/** Model shapes for tests: tiny enough that a finite-difference check of the whole model takes seconds. */
final class TestConfigs {
    private TestConfigs() {}

    /** 3 layers (1 dense, 2 MoE), 8 experts in 4 groups, top-2 of 2 groups, 1 shared expert. */
    static ModelConfig tiny(boolean qLora, int mtpDepth, boolean yarn) {
        return ModelConfig.fromJson("""
                {"vocab_size": 29, "hidden_size": 16, "intermediate_size": 24, "moe_intermediate_size": 8,
                 "num_hidden_layers": 3, "first_k_dense_replace": 1, "num_attention_heads": 2,
                 "n_routed_experts": 8, "n_shared_experts": 1, "num_experts_per_tok": 2,
                 "n_group": 4, "topk_group": 2, "scoring_func": "sigmoid", "routed_scaling_factor": 2.5,
                 "norm_topk_prob": true, "q_lora_rank": %s, "kv_lora_rank": 8, "qk_nope_head_dim": 4,
                 "qk_rope_head_dim": 4, "v_head_dim": 6, "rope_theta": 10000.0, "rope_scaling": %s,
                 "max_position_embeddings": 64, "rms_norm_eps": 1e-6, "num_nextn_predict_layers": %d}
                """.formatted(qLora ? "12" : "null",
                yarn ? """
                        {"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 16,
                         "beta_fast": 32, "beta_slow": 1, "mscale": 1.0, "mscale_all_dim": 1.0}"""
                        : "null",
                mtpDepth));
    }

    /** The `small` training config of the throughput target. */
    static ModelConfig small(int mtpDepth) {
        return ModelConfig.fromJson("""
                {"vocab_size": 4096, "hidden_size": 256, "intermediate_size": 768, "moe_intermediate_size": 128,
                 "num_hidden_layers": 6, "first_k_dense_replace": 1, "num_attention_heads": 8,
                 "n_routed_experts": 32, "n_shared_experts": 1, "num_experts_per_tok": 4,
                 "n_group": 4, "topk_group": 2, "scoring_func": "sigmoid", "routed_scaling_factor": 2.5,
                 "norm_topk_prob": true, "q_lora_rank": 96, "kv_lora_rank": 64, "qk_nope_head_dim": 32,
                 "qk_rope_head_dim": 16, "v_head_dim": 32, "rope_theta": 10000.0, "rope_scaling": null,
                 "max_position_embeddings": 1024, "rms_norm_eps": 1e-6, "num_nextn_predict_layers": %d}
                """.formatted(mtpDepth));
    }
}
