package dev.consilium.agents;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;

/**
 * An agent's output type: the instruction that asks the model for it, and the parse of its reply. Strict where
 * leniency would hide a wrong answer (a missing field or a null for a number fails) and lenient where it cannot
 * (extra fields are ignored; the JSON may sit inside a code fence or after a sentence).
 */
final class TypedOutput {

    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES, true);

    /** A value and its JSON form, as the trajectory records it. */
    record Parsed(Object value, JsonNode json) {}

    private final Class<?> type;

    TypedOutput(Class<?> type) {
        this.type = type;
    }

    Class<?> type() {
        return type;
    }

    /** Appended to the agent's role. */
    String instruction() {
        if (!type.isRecord()) return "Reply with only a JSON value of type " + type.getSimpleName() + ".";
        StringBuilder sb = new StringBuilder("Reply with only a JSON object with these fields: ");
        RecordComponent[] fields = type.getRecordComponents();
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append('"').append(fields[i].getName()).append("\" (").append(kind(fields[i].getType())).append(')');
        }
        return sb.append(".").toString();
    }

    /** @throws IllegalArgumentException saying what is wrong with {@code text} */
    Parsed parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("the reply is empty");
        String json = extract(text);
        try {
            JsonNode tree = JSON.readTree(json);
            return new Parsed(JSON.treeToValue(tree, type), tree);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }

    static JsonNode toTree(Object value) {
        return value instanceof JsonNode n ? n : JSON.valueToTree(value);
    }

    /** From the first '{' or '[' to the last matching closer; the text as it is when there is none. */
    private static String extract(String text) {
        int obj = text.indexOf('{');
        int arr = text.indexOf('[');
        int start = obj < 0 ? arr : arr < 0 ? obj : Math.min(obj, arr);
        if (start < 0) return text.strip();
        int end = text.lastIndexOf(text.charAt(start) == '{' ? '}' : ']');
        return end > start ? text.substring(start, end + 1) : text.substring(start);
    }

    private static String kind(Class<?> c) {
        if (c == int.class || c == long.class || c == Integer.class || c == Long.class) return "integer";
        if (c == double.class || c == float.class || Number.class.isAssignableFrom(c)) return "number";
        if (c == boolean.class || c == Boolean.class) return "true or false";
        if (c == String.class || c.isEnum()) return "string";
        if (c.isArray() || Collection.class.isAssignableFrom(c)) return "array";
        if (Map.class.isAssignableFrom(c) || c.isRecord()) return "object";
        return c.getSimpleName();
    }
}
