package dev.consilium.moe.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The model's shape, read from and written to {@code config.json} under Hugging Face {@code DeepseekV3Config}
 * field names, so a checkpoint moves between Consilium and the Python world unchanged. Unknown keys are
 * ignored; a missing required key is an error that names it.
 *
 * @param qLoraRank null when queries are projected directly ({@code q_proj}) rather than through a low-rank
 *                  bottleneck ({@code q_a_proj}, {@code q_a_layernorm}, {@code q_b_proj}).
 * @param ropeScaling null when no YaRN context extension is configured.
 */
public record ModelConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int moeIntermediateSize,
        int numHiddenLayers,
        int firstKDenseReplace,
        int numAttentionHeads,
        int nRoutedExperts,
        int nSharedExperts,
        int numExpertsPerTok,
        int nGroup,
        int topkGroup,
        String scoringFunc,
        float routedScalingFactor,
        boolean normTopkProb,
        Integer qLoraRank,
        int kvLoraRank,
        int qkNopeHeadDim,
        int qkRopeHeadDim,
        int vHeadDim,
        float ropeTheta,
        RopeScaling ropeScaling,
        int maxPositionEmbeddings,
        float rmsNormEps,
        int numNextnPredictLayers,
        boolean tieWordEmbeddings) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelConfig {
        require(vocabSize > 0, "vocab_size", "must be positive");
        require(hiddenSize > 0, "hidden_size", "must be positive");
        require(numHiddenLayers > 0, "num_hidden_layers", "must be positive");
        require(firstKDenseReplace >= 0 && firstKDenseReplace <= numHiddenLayers, "first_k_dense_replace",
                "must lie in [0, num_hidden_layers]");
        require(numAttentionHeads > 0, "num_attention_heads", "must be positive");
        require(kvLoraRank > 0, "kv_lora_rank", "must be positive");
        require(qkRopeHeadDim > 0 && qkRopeHeadDim % 2 == 0, "qk_rope_head_dim", "must be positive and even");
        require(qkNopeHeadDim >= 0, "qk_nope_head_dim", "must not be negative");
        require(vHeadDim > 0, "v_head_dim", "must be positive");
        require(qLoraRank == null || qLoraRank > 0, "q_lora_rank", "must be null or positive");
        require(numNextnPredictLayers >= 0, "num_nextn_predict_layers", "must not be negative");
        require(maxPositionEmbeddings > 0, "max_position_embeddings", "must be positive");
        require(firstKDenseReplace == 0 || intermediateSize > 0, "intermediate_size",
                "must be positive when dense layers exist");
        if (firstKDenseReplace < numHiddenLayers) {
            require(nRoutedExperts > 0, "n_routed_experts", "must be positive when MoE layers exist");
            require(moeIntermediateSize > 0, "moe_intermediate_size", "must be positive when MoE layers exist");
            require(numExpertsPerTok > 0 && numExpertsPerTok <= nRoutedExperts, "num_experts_per_tok",
                    "must lie in [1, n_routed_experts]");
            require(nGroup > 0 && nRoutedExperts % nGroup == 0, "n_group", "must divide n_routed_experts");
            require(topkGroup > 0 && topkGroup <= nGroup, "topk_group", "must lie in [1, n_group]");
            require(topkGroup * (nRoutedExperts / nGroup) >= numExpertsPerTok, "topk_group",
                    "keeps too few experts for num_experts_per_tok");
            require(nGroup == 1 || nRoutedExperts / nGroup >= 2, "n_group",
                    "each group needs at least two experts (a group scores by its top two)");
            require(nSharedExperts >= 0, "n_shared_experts", "must not be negative");
        }
        require("sigmoid".equals(scoringFunc) || "softmax".equals(scoringFunc), "scoring_func",
                "must be \"sigmoid\" or \"softmax\", was \"" + scoringFunc + "\"");
    }

    /** Total query/key head width: the part without position ({@code nope}) plus the rotary part. */
    public int qkHeadDim() {
        return qkNopeHeadDim + qkRopeHeadDim;
    }

    /** One line for logs: "4 layers (1 dense), hidden 128, 4 heads, 8 routed experts top-2 + 1 shared, MTP 1". */
    public String summary() {
        return String.format(Locale.ROOT, "%d layers (%d dense), hidden %d, %d heads, %d routed experts top-%d + %d shared, MTP %d",
                numHiddenLayers, firstKDenseReplace, hiddenSize, numAttentionHeads, nRoutedExperts,
                numExpertsPerTok, nSharedExperts, numNextnPredictLayers);
    }

    public boolean isMoeLayer(int layer) {
        return layer >= firstKDenseReplace;
    }

    /** The configs that ship with Consilium: {@code small} (benchmarks) and {@code tiny} (the demo's policy). */
    public static final List<String> NAMED = List.of("small", "tiny");

    /** A shipped config by name, or a {@code config.json} path. */
    public static ModelConfig named(String nameOrPath) {
        if (NAMED.contains(nameOrPath)) {
            try (var in = ModelConfig.class.getResourceAsStream("/dev/consilium/moe/configs/" + nameOrPath + ".json")) {
                return fromJson(JSON.readTree(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Path p = Path.of(nameOrPath);
        if (Files.isDirectory(p)) p = p.resolve("config.json");
        if (!Files.exists(p)) {
            throw new ConfigException("no config named \"" + nameOrPath + "\" (shipped: " + String.join(", ", NAMED)
                    + "; or give a config.json path)");
        }
        return load(p);
    }

    /** Reads {@code config.json}; errors name the file and the key. */
    public static ModelConfig load(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config: " + e.getMessage(), e);
        }
        try {
            return fromJson(root);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
    }

    public static ModelConfig fromJson(String json) {
        try {
            return fromJson(JSON.readTree(json));
        } catch (IOException e) {
            throw new ConfigException("config is not valid JSON: " + e.getMessage(), e);
        }
    }

    static ModelConfig fromJson(JsonNode root) {
        if (root == null || !root.isObject()) throw new ConfigException("config must be a JSON object");
        Fields f = new Fields(root);
        int layers = f.integer("num_hidden_layers");
        return new ModelConfig(
                f.integer("vocab_size"),
                f.integer("hidden_size"),
                f.integerOr("intermediate_size", 0),
                f.integerOr("moe_intermediate_size", 0),
                layers,
                f.integerOr("first_k_dense_replace", 0),
                f.integer("num_attention_heads"),
                f.integerOr("n_routed_experts", 0),
                f.integerOr("n_shared_experts", 0),
                f.integerOr("num_experts_per_tok", 0),
                f.integerOr("n_group", 1),
                f.integerOr("topk_group", 1),
                f.textOr("scoring_func", "sigmoid"),
                f.floatOr("routed_scaling_factor", 1f),
                f.boolOr("norm_topk_prob", true),
                f.nullableInteger("q_lora_rank"),
                f.integer("kv_lora_rank"),
                f.integer("qk_nope_head_dim"),
                f.integer("qk_rope_head_dim"),
                f.integer("v_head_dim"),
                f.floatOr("rope_theta", 10000f),
                RopeScaling.fromJson(root.get("rope_scaling")),
                f.integer("max_position_embeddings"),
                f.floatOr("rms_norm_eps", 1e-6f),
                f.integerOr("num_nextn_predict_layers", 0),
                f.boolOr("tie_word_embeddings", false));
    }

    /** The {@code config.json} text, with the fields HF's DeepseekV3Config and its loaders expect. */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add("DeepseekV3ForCausalLM");
        o.put("model_type", "deepseek_v3");
        o.put("torch_dtype", "float32");
        o.put("vocab_size", vocabSize);
        o.put("hidden_size", hiddenSize);
        o.put("intermediate_size", intermediateSize);
        o.put("moe_intermediate_size", moeIntermediateSize);
        o.put("num_hidden_layers", numHiddenLayers);
        o.put("first_k_dense_replace", firstKDenseReplace);
        o.put("num_attention_heads", numAttentionHeads);
        o.put("num_key_value_heads", numAttentionHeads);
        o.put("n_routed_experts", nRoutedExperts);
        o.put("n_shared_experts", nSharedExperts);
        o.put("num_experts_per_tok", numExpertsPerTok);
        o.put("n_group", nGroup);
        o.put("topk_group", topkGroup);
        o.put("topk_method", "noaux_tc");
        o.put("moe_layer_freq", 1);
        o.put("scoring_func", scoringFunc);
        o.put("routed_scaling_factor", routedScalingFactor);
        o.put("norm_topk_prob", normTopkProb);
        if (qLoraRank == null) o.putNull("q_lora_rank"); else o.put("q_lora_rank", qLoraRank);
        o.put("kv_lora_rank", kvLoraRank);
        o.put("qk_nope_head_dim", qkNopeHeadDim);
        o.put("qk_rope_head_dim", qkRopeHeadDim);
        o.put("v_head_dim", vHeadDim);
        o.put("rope_theta", ropeTheta);
        if (ropeScaling == null) o.putNull("rope_scaling"); else o.set("rope_scaling", ropeScaling.toJson(JSON));
        o.put("max_position_embeddings", maxPositionEmbeddings);
        o.put("rms_norm_eps", rmsNormEps);
        o.put("num_nextn_predict_layers", numNextnPredictLayers);
        o.put("tie_word_embeddings", tieWordEmbeddings);
        o.put("hidden_act", "silu");
        o.put("attention_bias", false);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void require(boolean ok, String key, String what) {
        if (!ok) throw new ConfigException("\"" + key + "\" " + what);
    }

    /** Typed access to the config's fields with errors that name the key. */
    private record Fields(JsonNode root) {
        int integer(String key) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) throw new ConfigException("missing \"" + key + "\"");
            return asInt(key, n);
        }

        int integerOr(String key, int fallback) {
            JsonNode n = root.get(key);
            return n == null || n.isNull() ? fallback : asInt(key, n);
        }

        Integer nullableInteger(String key) {
            JsonNode n = root.get(key);
            return n == null || n.isNull() ? null : asInt(key, n);
        }

        float floatOr(String key, float fallback) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) return fallback;
            if (!n.isNumber()) throw new ConfigException("\"" + key + "\" must be a number, was " + n);
            return n.floatValue();
        }

        boolean boolOr(String key, boolean fallback) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) return fallback;
            if (!n.isBoolean()) throw new ConfigException("\"" + key + "\" must be true or false, was " + n);
            return n.booleanValue();
        }

        String textOr(String key, String fallback) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) return fallback;
            if (!n.isTextual()) throw new ConfigException("\"" + key + "\" must be a string, was " + n);
            return n.textValue();
        }

        private static int asInt(String key, JsonNode n) {
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw new ConfigException("\"" + key + "\" must be an integer, was " + n);
            }
            return n.intValue();
        }
    }
}
