package dev.consilium.agents.provider.ledger;

import dev.langchain4j.model.chat.ChatRequestOptions;

import java.util.Objects;

/**
 * Who a call is charged to. It travels with the call as a LangChain4j listener attribute, so the ledger and any
 * {@link dev.langchain4j.model.chat.listener.ChatModelListener} on the underlying model see the same run and agent:
 * {@code model.chat(request, Attribution.of("run-7", "critic").options())}.
 */
public record Attribution(String run, String agent) {

    public static final Attribution DEFAULT = new Attribution("default", "default");

    public Attribution {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(agent, "agent");
    }

    public static Attribution of(String run, String agent) {
        return new Attribution(run, agent);
    }

    public ChatRequestOptions options() {
        return ChatRequestOptions.builder().addListenerAttribute(Attribution.class, this).build();
    }

    /** The attribution carried by {@code options}, else {@link #DEFAULT}. */
    public static Attribution from(ChatRequestOptions options) {
        if (options == null) return DEFAULT;
        return options.listenerAttributes().get(Attribution.class) instanceof Attribution a ? a : DEFAULT;
    }
}
