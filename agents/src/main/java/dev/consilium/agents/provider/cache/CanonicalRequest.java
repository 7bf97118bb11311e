package dev.consilium.agents.provider.cache;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.provider.ProviderException;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ChatMessageSerializer;
import dev.langchain4j.model.chat.request.ChatRequestParameters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A request as canonical JSON, and its content address. The JSON holds the model ref, the effective parameters
 * (the model's defaults overridden by the request's, so a default temperature counts) and the messages, with
 * object keys sorted at every level: equal requests give equal bytes however they were built.
 *
 * <p>Parameters are serialized field by field, which includes every vendor-specific field a parameters subclass
 * adds (OpenAI's {@code seed}, Gemini's thinking budget) without this class knowing any vendor. Messages use
 * LangChain4j's own message JSON.
 */
public record CanonicalRequest(String json, String key) {

    private static final ObjectMapper FIELDS = JsonMapper.builder()
            .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();

    public static CanonicalRequest of(String model, ChatRequestParameters parameters, List<ChatMessage> messages) {
        try {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            root.put("model", model);
            root.set("parameters", FIELDS.valueToTree(parameters));
            root.set("messages", JSON.readTree(ChatMessageSerializer.messagesToJson(messages)));
            String json = canonicalJson(root);
            return new CanonicalRequest(json, sha256(json));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new ProviderException("cannot write the canonical form of a request to " + model + ": " + e.getMessage(), e);
        }
    }

    /** {@code node} as compact JSON with object keys sorted at every level: equal trees give equal text. */
    static String canonicalJson(JsonNode node) throws JsonProcessingException {
        return JSON.writeValueAsString(sorted(node));
    }

    private static JsonNode sorted(JsonNode node) {
        if (node instanceof ObjectNode object) {
            Map<String, JsonNode> fields = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                fields.put(e.getKey(), sorted(e.getValue()));
            }
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            fields.forEach(out::set);
            return out;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            array.forEach(element -> out.add(sorted(element)));
            return out;
        }
        return node;
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
