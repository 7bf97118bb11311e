package dev.consilium.agents.workflow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A workflow named by type and parameters, the way an experiment file gives it:
 * {@code {"type": "debate", "agents": 2, "rounds": 2}}. {@link WorkflowFactory} turns it into a workflow.
 * Parameters are JSON values; the JSON form is flat, the type beside the parameters.
 */
public record WorkflowSpec(String type, Map<String, JsonNode> params) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public WorkflowSpec {
        if (type == null || type.isBlank()) throw new IllegalArgumentException("workflow spec: \"type\" is missing");
        params = Map.copyOf(params);
    }

    /** {@code of("debate", "agents", 2, "rounds", 2)}: a type and name/value pairs. */
    public static WorkflowSpec of(String type, Object... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) throw new IllegalArgumentException("workflow spec: odd number of name/value arguments");
        Map<String, JsonNode> p = new LinkedHashMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            p.put((String) nameValuePairs[i], JSON.valueToTree(nameValuePairs[i + 1]));
        }
        return new WorkflowSpec(type, p);
    }

    @JsonCreator
    public static WorkflowSpec fromJson(ObjectNode json) {
        Map<String, JsonNode> p = new LinkedHashMap<>();
        json.properties().forEach(e -> {
            if (!e.getKey().equals("type")) p.put(e.getKey(), e.getValue());
        });
        JsonNode type = json.get("type");
        return new WorkflowSpec(type == null || !type.isTextual() ? null : type.asText(), p);
    }

    public static WorkflowSpec parse(String json) {
        try {
            return fromJson((ObjectNode) JSON.readTree(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | ClassCastException e) {
            throw new IllegalArgumentException("workflow spec: not a JSON object: " + json, e);
        }
    }

    /** The flat JSON form, which Jackson writes for this record too. */
    @JsonValue
    public ObjectNode json() {
        ObjectNode o = JSON.createObjectNode().put("type", type);
        new TreeMap<>(params).forEach(o::set);
        return o;
    }

    public String toJson() {
        return json().toString();
    }

    public int intParam(String name, int otherwise) {
        JsonNode v = params.get(name);
        if (v == null) return otherwise;
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("workflow spec \"" + type + "\": \"" + name + "\" must be an integer, got " + v);
        }
        return v.asInt();
    }

    public String stringParam(String name, String otherwise) {
        JsonNode v = params.get(name);
        if (v == null) return otherwise;
        if (!v.isTextual()) throw new IllegalArgumentException("workflow spec \"" + type + "\": \"" + name + "\" must be a string, got " + v);
        return v.asText();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkflowSpec s && type.equals(s.type) && params.equals(s.params);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, params);
    }
}
