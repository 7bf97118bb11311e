package dev.consilium.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of a request body's fields. Each read names the field in its 400 when the value is of the
 * wrong type or out of range; an absent field or an explicit JSON null reads as "not given", as OpenAI does.
 */
final class Params {
    private final JsonNode body;

    Params(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalidJson("The request body must be a JSON object, was "
                    + (body == null ? "empty" : body.getNodeType().toString().toLowerCase()));
        }
        this.body = body;
    }

    /** The field's node, or null when absent or null. */
    JsonNode node(String name) {
        JsonNode n = body.get(name);
        return n == null || n.isNull() ? null : n;
    }

    String requiredString(String name) {
        JsonNode n = node(name);
        if (n == null) throw ApiException.invalid(name, "Missing required parameter: '" + name + "'");
        if (!n.isTextual()) throw ApiException.invalid(name, "'" + name + "' must be a string");
        return n.textValue();
    }

    boolean bool(String name) {
        JsonNode n = node(name);
        if (n == null) return false;
        if (!n.isBoolean()) throw ApiException.invalid(name, "'" + name + "' must be a boolean, was " + n);
        return n.booleanValue();
    }

    /** A number in [min, max], or null. */
    Double number(String name, double min, double max) {
        JsonNode n = node(name);
        if (n == null) return null;
        if (!n.isNumber()) throw ApiException.invalid(name, "'" + name + "' must be a number, was " + n);
        double v = n.doubleValue();
        if (!(v >= min && v <= max)) {
            throw ApiException.invalid(name, "'" + name + "' must lie in [" + min + ", " + max + "], was " + n);
        }
        return v;
    }

    /** An integer in [min, max], or null. */
    Integer integer(String name, int min, int max) {
        Long v = longInteger(name);
        if (v == null) return null;
        if (v < min || v > max) {
            throw ApiException.invalid(name, "'" + name + "' must lie in [" + min + ", " + max + "], was " + v);
        }
        return v.intValue();
    }

    /** Any 64-bit integer (1.0 counts, 1.5 does not), or null. */
    Long longInteger(String name) {
        JsonNode n = node(name);
        if (n == null) return null;
        if (!n.isNumber() || !n.canConvertToExactIntegral() || !n.canConvertToLong()) {
            throw ApiException.invalid(name, "'" + name + "' must be an integer, was " + n);
        }
        return n.longValue();
    }

    /** {@code stop}: a string or an array of up to 4 non-empty strings. */
    List<String> stop() {
        JsonNode n = node("stop");
        List<String> stops = new ArrayList<>();
        if (n == null) return stops;
        if (n.isTextual()) {
            stops.add(n.textValue());
        } else if (n.isArray()) {
            if (n.size() > 4) throw ApiException.invalid("stop", "'stop' takes at most 4 sequences, got " + n.size());
            for (JsonNode s : n) {
                if (!s.isTextual()) throw ApiException.invalid("stop", "'stop' entries must be strings, got " + s);
                stops.add(s.textValue());
            }
        } else {
            throw ApiException.invalid("stop", "'stop' must be a string or an array of strings, was " + n);
        }
        for (String s : stops) if (s.isEmpty()) throw ApiException.invalid("stop", "'stop' sequences must not be empty");
        return stops;
    }

    /** Fields with no effect here that a caller would miss silently; refused unless at their neutral value. */
    void refuseUnsupported() {
        for (String name : List.of("tools", "functions", "logit_bias")) {
            JsonNode n = node(name);
            if (n != null && !n.isEmpty()) {
                throw ApiException.unsupported(name, "'" + name + "' is not supported by this server");
            }
        }
        for (String name : List.of("frequency_penalty", "presence_penalty")) {
            Double v = number(name, -2, 2);
            if (v != null && v != 0) throw ApiException.unsupported(name, "'" + name + "' is not supported by this server");
        }
    }
}
