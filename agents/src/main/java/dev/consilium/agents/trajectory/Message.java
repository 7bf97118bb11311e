package dev.consilium.agents.trajectory;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One message of a request as it was sent, in the roles of the OpenAI wire format: {@code system}, {@code user},
 * {@code assistant} (with any tool calls it made) and {@code tool} (a tool's result, with the call it answers).
 * Non-text parts of a user message are kept as a placeholder naming their type, e.g. {@code [image]}.
 */
public record Message(String role, String content, List<ToolCall> toolCalls, String toolCallId, String toolName) {

    public Message {
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public static Message of(String role, String content) {
        return new Message(role, content, List.of(), null, null);
    }

    public static Message from(ChatMessage m) {
        return switch (m) {
            case SystemMessage s -> of("system", s.text());
            case UserMessage u -> of("user", u.hasSingleText() ? u.singleText() : text(u.contents()));
            case AiMessage a -> new Message("assistant", a.text(), toolCalls(a), null, null);
            case ToolExecutionResultMessage t -> new Message("tool", t.text(), List.of(), t.id(), t.toolName());
            default -> of(m.type().name().toLowerCase(Locale.ROOT), m.toString());
        };
    }

    public static List<Message> from(List<ChatMessage> messages) {
        List<Message> out = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) out.add(from(m));
        return out;
    }

    static List<ToolCall> toolCalls(AiMessage a) {
        if (!a.hasToolExecutionRequests()) return List.of();
        List<ToolCall> out = new ArrayList<>();
        for (ToolExecutionRequest r : a.toolExecutionRequests()) out.add(new ToolCall(r.id(), r.name(), r.arguments()));
        return out;
    }

    private static String text(List<Content> contents) {
        StringBuilder sb = new StringBuilder();
        for (Content c : contents) {
            if (!sb.isEmpty()) sb.append('\n');
            if (c instanceof TextContent t) sb.append(t.text());
            else sb.append('[').append(c.type().name().toLowerCase(Locale.ROOT)).append(']');
        }
        return sb.toString();
    }
}
