package dev.consilium.moe.tokenizer;

import java.util.Objects;

/** One turn of a conversation. */
public record TemplateMessage(Role role, String content) {

    public enum Role { SYSTEM, USER, ASSISTANT }

    public TemplateMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static TemplateMessage system(String content) {
        return new TemplateMessage(Role.SYSTEM, content);
    }

    public static TemplateMessage user(String content) {
        return new TemplateMessage(Role.USER, content);
    }

    public static TemplateMessage assistant(String content) {
        return new TemplateMessage(Role.ASSISTANT, content);
    }
}
