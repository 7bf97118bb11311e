package dev.consilium.runtime.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;

/**
 * {@code response_format}: free text, any JSON object, or JSON matching a schema. The model is not constrained
 * while it decodes; instead {@link #check} judges each output and the server generates again (next seed) while
 * it fails, up to {@link ServerLimits#jsonAttempts()}. The check covers the schema keywords that decide shape:
 * {@code type}, {@code properties}, {@code required}, {@code items}, {@code enum}; others are not enforced.
 *
 * @param schema null unless {@code json_schema}
 */
record ResponseFormat(Type type, JsonNode schema) {
    enum Type { TEXT, JSON_OBJECT, JSON_SCHEMA }

    static final ResponseFormat TEXT = new ResponseFormat(Type.TEXT, null);

    static ResponseFormat read(Params p) {
        JsonNode n = p.node("response_format");
        if (n == null) return TEXT;
        JsonNode type = n.get("type");
        if (!n.isObject() || type == null || !type.isTextual()) {
            throw ApiException.invalid("response_format", "'response_format' must be an object with a string 'type'");
        }
        return switch (type.textValue()) {
            case "text" -> TEXT;
            case "json_object" -> new ResponseFormat(Type.JSON_OBJECT, null);
            case "json_schema" -> {
                JsonNode js = n.get("json_schema");
                JsonNode schema = js == null ? null : js.get("schema");
                if (schema == null || !schema.isObject()) {
                    throw ApiException.invalid("response_format.json_schema.schema",
                            "'response_format' of type json_schema needs 'json_schema.schema', a JSON Schema object");
                }
                yield new ResponseFormat(Type.JSON_SCHEMA, schema);
            }
            default -> throw ApiException.invalid("response_format.type", "'response_format.type' must be one of "
                    + "text, json_object, json_schema; was '" + type.textValue() + "'");
        };
    }

    boolean json() {
        return type != Type.TEXT;
    }

    /** Why {@code text} does not satisfy the format, or null when it does. */
    String check(String text) {
        if (type == Type.TEXT) return null;
        JsonNode value;
        try {
            value = Wire.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return "the output is not valid JSON (" + e.getOriginalMessage() + ")";
        }
        if (value == null || value.isMissingNode()) return "the output is empty, not JSON";
        if (type == Type.JSON_OBJECT) return value.isObject() ? null : "the output is JSON but not an object";
        return violation(schema, value, "$");
    }

    /** The first place {@code value} breaks {@code schema}, or null. */
    private static String violation(JsonNode schema, JsonNode value, String path) {
        JsonNode type = schema.get("type");
        if (type != null && type.isTextual() && !hasType(value, type.textValue())) {
            return path + " should be of type " + type.textValue() + ", is " + value.getNodeType().toString().toLowerCase();
        }
        JsonNode allowed = schema.get("enum");
        if (allowed != null && allowed.isArray()) {
            boolean found = false;
            for (JsonNode a : allowed) found |= a.equals(value);
            if (!found) return path + " should be one of " + allowed;
        }
        if (value.isObject()) {
            JsonNode required = schema.get("required");
            if (required != null) {
                for (JsonNode key : required) {
                    if (!value.has(key.asText())) return path + " lacks the required key '" + key.asText() + "'";
                }
            }
            JsonNode properties = schema.get("properties");
            if (properties != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    JsonNode v = value.get(e.getKey());
                    if (v == null) continue;
                    String bad = violation(e.getValue(), v, path + "." + e.getKey());
                    if (bad != null) return bad;
                }
            }
        }
        JsonNode items = schema.get("items");
        if (value.isArray() && items != null && items.isObject()) {
            for (int i = 0; i < value.size(); i++) {
                String bad = violation(items, value.get(i), path + "[" + i + "]");
                if (bad != null) return bad;
            }
        }
        return null;
    }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "number" -> v.isNumber();
            case "integer" -> v.isIntegralNumber() || v.isNumber() && v.canConvertToExactIntegral();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            default -> true;
        };
    }
}
