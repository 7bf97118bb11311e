package dev.consilium.agents.workflow;

import dev.consilium.agents.Conversation;
import dev.consilium.agents.Turn;
import dev.consilium.agents.Workflow;

import java.util.Objects;
import java.util.function.Function;

/**
 * A node that runs code: a combiner, a formatter, or a LangChain4j AiServices or langchain4j-agentic agent
 * called from Java. Its model calls are recorded when its models are wrapped in
 * {@link dev.consilium.agents.RecordingChatModel}, and charged to this node's name.
 */
public record Step(String name, Function<Conversation, String> body) implements Workflow {

    public Step {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
    }

    @Override
    public Turn respond(Conversation conversation) {
        String text = body.apply(conversation);
        if (text == null) throw new IllegalStateException("step '" + name + "' returned null");
        return Turn.of(name, text);
    }
}
