package dev.consilium.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.moe.tokenizer.TemplateMessage;

import java.util.ArrayList;
import java.util.List;

/** A validated {@code POST /v1/chat/completions} body. */
record ChatRequest(String model, List<TemplateMessage> messages, Sampling sampling, boolean logprobs, int topLogprobs,
                   ResponseFormat format) {

    static ChatRequest parse(JsonNode body, ServerLimits limits) {
        Params p = new Params(body);
        String model = p.requiredString("model");
        List<TemplateMessage> messages = messages(p.node("messages"));
        // max_completion_tokens replaced max_tokens in OpenAI's API; both are accepted, the newer wins
        Sampling sampling = Sampling.read(p, limits, 1, "max_completion_tokens", "max_tokens");
        boolean logprobs = p.bool("logprobs");
        Integer top = p.integer("top_logprobs", 0, 20);
        if (top != null && top > 0 && !logprobs) {
            throw ApiException.invalid("top_logprobs", "'top_logprobs' needs 'logprobs' set to true");
        }
        return new ChatRequest(model, messages, sampling, logprobs, top == null ? 0 : top, ResponseFormat.read(p));
    }

    private static List<TemplateMessage> messages(JsonNode n) {
        if (n == null) throw ApiException.invalid("messages", "Missing required parameter: 'messages'");
        if (!n.isArray() || n.isEmpty()) throw ApiException.invalid("messages", "'messages' must be a non-empty array");
        List<TemplateMessage> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            String at = "messages[" + i + "]";
            JsonNode m = n.get(i);
            if (!m.isObject()) throw ApiException.invalid(at, "'" + at + "' must be an object with 'role' and 'content'");
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) throw ApiException.invalid(at + ".role", "'" + at + ".role' must be a string");
            TemplateMessage.Role r = switch (role.textValue()) {
                // OpenAI's newer name for the system role
                case "system", "developer" -> TemplateMessage.Role.SYSTEM;
                case "user" -> TemplateMessage.Role.USER;
                case "assistant" -> TemplateMessage.Role.ASSISTANT;
                case "tool", "function" -> throw ApiException.unsupported(at + ".role",
                        "'" + at + ".role' is '" + role.textValue() + "'; tool calls are not supported by this server");
                default -> throw ApiException.invalid(at + ".role", "'" + at + ".role' must be one of system, developer, "
                        + "user, assistant; was '" + role.textValue() + "'");
            };
            out.add(new TemplateMessage(r, content(m.get("content"), at + ".content", r)));
        }
        return out;
    }

    /** A string, or an array of {@code {"type": "text", "text": ...}} parts joined together. */
    private static String content(JsonNode c, String at, TemplateMessage.Role role) {
        if (c == null || c.isNull()) {
            if (role == TemplateMessage.Role.ASSISTANT) return "";
            throw ApiException.invalid(at, "'" + at + "' is missing");
        }
        if (c.isTextual()) return c.textValue();
        if (!c.isArray()) throw ApiException.invalid(at, "'" + at + "' must be a string or an array of text parts");
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < c.size(); j++) {
            JsonNode part = c.get(j);
            JsonNode type = part.get("type");
            if (type == null || !"text".equals(type.asText()) || !part.path("text").isTextual()) {
                throw ApiException.unsupported(at + "[" + j + "]", "'" + at + "[" + j + "]' must be {\"type\": \"text\", "
                        + "\"text\": ...}; this model reads text only");
            }
            text.append(part.get("text").textValue());
        }
        return text.toString();
    }
}
