package dev.consilium.rewards.function;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The subset of JSON Schema (draft 2020-12 keywords) that answer formats need: {@code type} (one or a list),
 * {@code properties}, {@code required}, {@code additionalProperties: false}, {@code items}, {@code enum},
 * {@code const}, {@code minimum}/{@code maximum}, {@code minLength}/{@code maxLength}, {@code pattern},
 * {@code minItems}/{@code maxItems}. Any other keyword is rejected when the check is built, so a schema is never
 * silently half-enforced. Written on Jackson rather than pulling in a validator library for a dozen keywords.
 */
final class JsonSchemaCheck {

    private static final List<String> KNOWN = List.of("$schema", "$id", "title", "description", "type", "properties",
            "required", "additionalProperties", "items", "enum", "const", "minimum", "maximum", "minLength", "maxLength",
            "pattern", "minItems", "maxItems");

    private final JsonNode schema;

    JsonSchemaCheck(JsonNode schema) {
        requireSupported(schema, "#");
        this.schema = schema;
    }

    /** Every violation, each as {@code path: what}; empty when valid. */
    List<String> validate(JsonNode doc) {
        List<String> errors = new ArrayList<>();
        check(schema, doc, "$", errors);
        return errors;
    }

    private static void requireSupported(JsonNode s, String at) {
        if (!s.isObject()) throw new IllegalArgumentException("JSON schema at " + at + " is not an object");
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KNOWN.contains(k)) throw new IllegalArgumentException("JSON schema at " + at + ": keyword \"" + k + "\" is not supported");
        }
        if (s.has("properties")) {
            for (Map.Entry<String, JsonNode> p : s.get("properties").properties()) requireSupported(p.getValue(), at + "/properties/" + p.getKey());
        }
        if (s.has("items")) requireSupported(s.get("items"), at + "/items");
        if (s.has("additionalProperties") && !s.get("additionalProperties").isBoolean()) {
            throw new IllegalArgumentException("JSON schema at " + at + ": only boolean additionalProperties is supported");
        }
    }

    private static void check(JsonNode s, JsonNode v, String at, List<String> errors) {
        if (s.has("type") && !typeMatches(s.get("type"), v)) {
            errors.add(at + ": expected " + s.get("type") + ", got " + typeOf(v));
            return;
        }
        if (s.has("enum")) {
            boolean any = false;
            for (JsonNode e : s.get("enum")) any |= e.equals(v);
            if (!any) errors.add(at + ": " + v + " is not one of " + s.get("enum"));
        }
        if (s.has("const") && !s.get("const").equals(v)) errors.add(at + ": expected " + s.get("const"));
        if (v.isNumber()) {
            if (s.has("minimum") && v.decimalValue().compareTo(s.get("minimum").decimalValue()) < 0) errors.add(at + ": below minimum " + s.get("minimum"));
            if (s.has("maximum") && v.decimalValue().compareTo(s.get("maximum").decimalValue()) > 0) errors.add(at + ": above maximum " + s.get("maximum"));
        }
        if (v.isTextual()) {
            int n = v.asText().codePointCount(0, v.asText().length());
            if (s.has("minLength") && n < s.get("minLength").asInt()) errors.add(at + ": shorter than " + s.get("minLength"));
            if (s.has("maxLength") && n > s.get("maxLength").asInt()) errors.add(at + ": longer than " + s.get("maxLength"));
            if (s.has("pattern") && !Pattern.compile(s.get("pattern").asText()).matcher(v.asText()).find()) {
                errors.add(at + ": does not match " + s.get("pattern").asText());
            }
        }
        if (v.isArray()) {
            if (s.has("minItems") && v.size() < s.get("minItems").asInt()) errors.add(at + ": fewer than " + s.get("minItems") + " items");
            if (s.has("maxItems") && v.size() > s.get("maxItems").asInt()) errors.add(at + ": more than " + s.get("maxItems") + " items");
            if (s.has("items")) for (int i = 0; i < v.size(); i++) check(s.get("items"), v.get(i), at + "[" + i + "]", errors);
        }
        if (v.isObject()) {
            if (s.has("required")) {
                for (JsonNode r : s.get("required")) if (!v.has(r.asText())) errors.add(at + ": missing \"" + r.asText() + "\"");
            }
            JsonNode props = s.path("properties");
            for (Map.Entry<String, JsonNode> f : v.properties()) {
                if (props.has(f.getKey())) check(props.get(f.getKey()), f.getValue(), at + "." + f.getKey(), errors);
                else if (s.path("additionalProperties").isBoolean() && !s.get("additionalProperties").asBoolean()) {
                    errors.add(at + ": unexpected \"" + f.getKey() + "\"");
                }
            }
        }
    }

    private static boolean typeMatches(JsonNode type, JsonNode v) {
        if (type.isArray()) {
            for (JsonNode t : type) if (typeMatches(t, v)) return true;
            return false;
        }
        return switch (type.asText()) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber() || (v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0);
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            default -> throw new IllegalArgumentException("JSON schema: unknown type \"" + type.asText() + "\"");
        };
    }

    private static String typeOf(JsonNode v) {
        return v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
