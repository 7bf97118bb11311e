package dev.consilium.agents;

import java.util.Objects;

/**
 * One contribution to a conversation: what an agent (or a workflow node) said, with its typed value when the
 * agent has an output type. A turn without an agent is an instruction a workflow adds, such as a debate's
 * "here are the other agents' answers"; agents see it as a plain user message.
 */
public record Turn(String agent, String text, Object value) {

    public Turn {
        Objects.requireNonNull(text, "text");
    }

    public static Turn of(String agent, String text) {
        return new Turn(Objects.requireNonNull(agent, "agent"), text, null);
    }

    public static Turn instruction(String text) {
        return new Turn(null, text, null);
    }

    public boolean isInstruction() {
        return agent == null;
    }

    /** The typed value, cast to {@code type}. */
    public <T> T value(Class<T> type) {
        if (value == null) {
            throw new IllegalStateException("turn of " + agent + " has no typed value; give the agent an outputType");
        }
        return type.cast(value);
    }
}
