package dev.consilium.agents.provider.decorator;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequestParameters;

import java.util.Set;
import java.util.function.Supplier;

/**
 * A model that wraps another, blocking or streaming, and reports the wrapped model's default parameters, provider
 * and capabilities as its own, read at each call. {@link ChatModel} and {@link StreamingChatModel} share no
 * interface for these, so this is a class: its methods, inherited by a subclass that implements either interface,
 * take precedence over the interface's defaults, and one piece serves the blocking and the streaming wrappers.
 */
abstract class WrappingModel {

    private final Supplier<ChatRequestParameters> parameters;
    private final Supplier<ModelProvider> provider;
    private final Supplier<Set<Capability>> capabilities;

    // Lambdas, not method references: a null model fails at its first use, as the wrappers always did, not here.
    WrappingModel(ChatModel wrapped) {
        this(() -> wrapped.defaultRequestParameters(), () -> wrapped.provider(), () -> wrapped.supportedCapabilities());
    }

    WrappingModel(StreamingChatModel wrapped) {
        this(() -> wrapped.defaultRequestParameters(), () -> wrapped.provider(), () -> wrapped.supportedCapabilities());
    }

    private WrappingModel(Supplier<ChatRequestParameters> parameters, Supplier<ModelProvider> provider,
                          Supplier<Set<Capability>> capabilities) {
        this.parameters = parameters;
        this.provider = provider;
        this.capabilities = capabilities;
    }

    public ChatRequestParameters defaultRequestParameters() {
        return parameters.get();
    }

    public ModelProvider provider() {
        return provider.get();
    }

    public Set<Capability> supportedCapabilities() {
        return capabilities.get();
    }
}
