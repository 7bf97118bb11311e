package dev.consilium.runtime.server;

import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.generate.Generator;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.prefixcache.CheckpointIdentity;
import dev.consilium.moe.prefixcache.PrefixCache;
import dev.consilium.moe.tensor.NamedTensor;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.ChatTemplate;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Tiny models saved as checkpoints, the way the server loads them, and a tokenizer trained in-test. */
final class TestModels {
    private TestModels() {}

    /** 2 layers (dense, then MoE with 8 experts), hidden 32, no MTP; vocab 320 so the trained tokenizer fits. */
    static ModelConfig config(int maxPositions) {
        return ModelConfig.fromJson("""
                {"vocab_size": 320, "hidden_size": 32, "intermediate_size": 48, "moe_intermediate_size": 16,
                 "num_hidden_layers": 2, "first_k_dense_replace": 1, "num_attention_heads": 2,
                 "n_routed_experts": 8, "n_shared_experts": 1, "num_experts_per_tok": 2,
                 "n_group": 4, "topk_group": 2, "scoring_func": "sigmoid", "routed_scaling_factor": 2.5,
                 "norm_topk_prob": true, "q_lora_rank": null, "kv_lora_rank": 16, "qk_nope_head_dim": 8,
                 "qk_rope_head_dim": 8, "v_head_dim": 12, "rope_theta": 10000.0, "rope_scaling": null,
                 "max_position_embeddings": %d, "rms_norm_eps": 1e-6, "num_nextn_predict_layers": 0}
                """.formatted(maxPositions));
    }

    private static BpeTokenizer tokenizer;

    /** A byte-level BPE with DeepSeek-V3's chat tokens, trained on a little text that includes JSON. */
    static synchronized BpeTokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = BpeTokenizer.trainer().vocabSize(300).minFrequency(2)
                    .train("the model and the expert route the token to the latent attention. {\"ok\": true} café 数学 "
                            .repeat(20));
        }
        return tokenizer;
    }

    /**
     * A random model with weights scaled up from the training init, so that logits spread and greedy paths are
     * not decided by near-ties, saved with the tokenizer to {@code dir}.
     */
    static Path randomCheckpoint(Path dir, int maxPositions, long seed) {
        DeepSeekV3Model m = new DeepSeekV3Model(config(maxPositions), seed);
        float[] p = m.params();
        for (int i = 0; i < p.length; i++) p[i] *= 4f;
        ModelCheckpoint.save(dir, m, tokenizer(), null);
        return dir;
    }

    /**
     * As {@link #randomCheckpoint}, but a sampled answer never ends before its {@code max_tokens}: the end token's
     * LM-head row is zero and every other row is scaled up, so the largest of the others' logits dwarfs its 0. A
     * test that needs a stream still running when it acts cannot then lose a race against an early end.
     */
    static Path endlessCheckpoint(Path dir, int maxPositions, long seed) {
        DeepSeekV3Model m = new DeepSeekV3Model(config(maxPositions), seed);
        float[] p = m.params();
        for (int i = 0; i < p.length; i++) p[i] *= 4f;
        int C = m.config().hiddenSize(), end = tokenizer().tokenId(ChatTemplate.END_OF_SENTENCE);
        NamedTensor head = tensor(m, "lm_head.weight");
        for (int token = 0; token < m.config().vocabSize(); token++) {
            for (int c = 0; c < C; c++) head.data()[head.offset() + token * C + c] *= token == end ? 0f : 30f;
        }
        ModelCheckpoint.save(dir, m, tokenizer(), null);
        return dir;
    }

    static Generator generator(Path checkpoint, int maxBatch) {
        ModelCheckpoint c = ModelCheckpoint.load(checkpoint);
        return Generator.builder().model(c.model()).tokenizer(c.tokenizer()).maxBatch(maxBatch).build();
    }

    /** With a prefix cache of 8-token blocks, so that short test prompts can hit it. */
    static Generator cachingGenerator(Path checkpoint, int maxBatch) {
        ModelCheckpoint c = ModelCheckpoint.load(checkpoint);
        ModelConfig config = c.model().config();
        PrefixCache cache = PrefixCache.builder().modelId(CheckpointIdentity.of(checkpoint)).blockTokens(8)
                .rowWidth(config.numHiddenLayers() * (config.kvLoraRank() + config.qkRopeHeadDim())).build();
        return Generator.builder().model(c.model()).tokenizer(c.tokenizer()).maxBatch(maxBatch).prefixCache(cache).build();
    }

    /**
     * A model whose next token depends only on the last one, by construction: every block's output projection
     * is zero, so the residual stream is the last token's embedding, a unit vector; the LM head maps it to the
     * next token with a margin that makes sampling at temperature 1 as certain as greedy. After
     * {@code <｜Assistant｜>} it writes {@code texts[0]} or, with equal probability, {@code texts[1]}, ..., then
     * {@code <｜end▁of▁sentence｜>}. Each text's tokens must be distinct from each other's.
     */
    static Path scriptedCheckpoint(Path dir, String... texts) {
        BpeTokenizer tok = tokenizer();
        ModelConfig config = config(96);
        DeepSeekV3Model m = new DeepSeekV3Model(config, 1);
        int C = config.hiddenSize();
        int assistant = tok.tokenId(ChatTemplate.ASSISTANT), end = tok.tokenId(ChatTemplate.END_OF_SENTENCE);
        Map<Integer, Integer> dim = new HashMap<>(); // token -> the embedding axis it lights; 0 for all others
        Map<Integer, List<Integer>> next = new HashMap<>();
        dim.put(assistant, 1);
        for (String text : texts) {
            int[] ids = tok.encodeOrdinary(text);
            next.computeIfAbsent(assistant, k -> new java.util.ArrayList<>()).add(ids[0]);
            for (int i = 0; i < ids.length; i++) {
                if (dim.putIfAbsent(ids[i], dim.size() + 1) != null) {
                    throw new IllegalArgumentException("token " + ids[i] + " repeats in " + Arrays.toString(texts));
                }
                next.put(ids[i], List.of(i + 1 < ids.length ? ids[i + 1] : end));
            }
        }
        if (dim.size() >= C) throw new IllegalArgumentException("the script needs more than " + C + " axes");
        for (NamedTensor t : m.parameters()) {
            String n = t.name();
            boolean zero = n.endsWith("o_proj.weight") || n.endsWith("down_proj.weight")
                    || n.equals("model.embed_tokens.weight") || n.equals("lm_head.weight");
            if (zero) Arrays.fill(t.data(), t.offset(), t.offset() + t.size(), 0f);
            if (n.equals("model.norm.weight")) Arrays.fill(t.data(), t.offset(), t.offset() + t.size(), 1f);
        }
        NamedTensor embed = tensor(m, "model.embed_tokens.weight"), head = tensor(m, "lm_head.weight");
        for (int token = 0; token < config.vocabSize(); token++) {
            embed.data()[embed.offset() + token * C + dim.getOrDefault(token, 0)] = 1f;
        }
        for (Map.Entry<Integer, List<Integer>> e : next.entrySet()) {
            for (int to : e.getValue()) head.data()[head.offset() + to * C + dim.get(e.getKey())] = 10f;
        }
        head.data()[head.offset() + end * C] = 10f; // every other token ends the answer
        ModelCheckpoint.save(dir, m, tok, null);
        return dir;
    }

    private static NamedTensor tensor(DeepSeekV3Model m, String name) {
        return m.parameters().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }
}
