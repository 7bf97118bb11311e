package dev.consilium.agents.provider.decorator;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.Objects;

/**
 * The base of every decorator: a {@link ChatModel} that wraps another and passes the caller's request and
 * options through untouched. Decorators override {@link #chat(ChatRequest, ChatRequestOptions)} rather than
 * {@code doChat}: the options carry the call's {@link dev.consilium.agents.provider.ledger.Attribution} and
 * listener attributes to the wrapped model, and the request keeps its own parameters so that a fallback
 * deployment applies its own defaults (its own model name) rather than the first deployment's. Decorators
 * register no listeners; the vendor model's listeners see every real attempt.
 */
public abstract class ForwardingChatModel extends WrappingModel implements ChatModel {

    protected final ChatModel delegate;

    protected ForwardingChatModel(ChatModel delegate) {
        super(Objects.requireNonNull(delegate, "delegate"));
        this.delegate = delegate;
    }

    @Override
    public abstract ChatResponse chat(ChatRequest request, ChatRequestOptions options);

    @Override
    public ChatResponse doChat(ChatRequest request) {
        return chat(request, ChatRequestOptions.EMPTY);
    }
}
