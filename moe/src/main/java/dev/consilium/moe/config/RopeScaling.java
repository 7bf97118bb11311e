package dev.consilium.moe.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * YaRN context extension as DeepSeek-V3 configures it ({@code "type": "yarn"}). Frequencies between the
 * beta_fast and beta_slow correction range are interpolated by {@code factor}; the attention softmax scale
 * is multiplied by {@code mscale^2} when {@code max_position_embeddings} exceeds the original length.
 */
public record RopeScaling(float factor, int originalMaxPositionEmbeddings, float betaFast, float betaSlow,
                          float mscale, float mscaleAllDim) {

    static RopeScaling fromJson(JsonNode n) {
        if (n == null || n.isNull()) return null;
        if (!n.isObject()) throw new ConfigException("\"rope_scaling\" must be an object or null, was " + n);
        JsonNode type = n.has("type") ? n.get("type") : n.get("rope_type");
        if (type == null || !"yarn".equals(type.asText())) {
            throw new ConfigException("\"rope_scaling\" type " + type + " is not supported (only \"yarn\")");
        }
        JsonNode factor = n.get("factor");
        JsonNode original = n.get("original_max_position_embeddings");
        if (factor == null || !factor.isNumber()) throw new ConfigException("missing \"rope_scaling.factor\"");
        if (original == null || !original.canConvertToInt()) {
            throw new ConfigException("missing \"rope_scaling.original_max_position_embeddings\"");
        }
        return new RopeScaling(factor.floatValue(), original.intValue(),
                (float) n.path("beta_fast").asDouble(32), (float) n.path("beta_slow").asDouble(1),
                (float) n.path("mscale").asDouble(1), (float) n.path("mscale_all_dim").asDouble(0));
    }

    ObjectNode toJson(ObjectMapper json) {
        ObjectNode o = json.createObjectNode();
        o.put("type", "yarn");
        o.put("factor", factor);
        o.put("original_max_position_embeddings", originalMaxPositionEmbeddings);
        o.put("beta_fast", betaFast);
        o.put("beta_slow", betaSlow);
        o.put("mscale", mscale);
        o.put("mscale_all_dim", mscaleAllDim);
        return o;
    }
}
