package dev.consilium.agents.provider;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;

/**
 * Turns a deployment into a LangChain4j model for one ref prefix ({@link #name()}, e.g. {@code openai}).
 * Found with {@link java.util.ServiceLoader}: a third party adds a provider by shipping an implementation and a
 * {@code META-INF/services/dev.consilium.agents.provider.ChatModelProvider} line, without forking Consilium. The
 * built-in vendors are registered the same way, and so is the built-in model ({@code builtin/...}), by the
 * module that can generate with it.
 *
 * <p>Implementations build the undecorated model: retries, rate limits, fallback, deadlines, caching and the
 * ledger are added around it by {@link Providers}. Disable the vendor client's own retries so a failed call is
 * retried in one place only.
 */
public interface ChatModelProvider {

    /** The ref prefix this provider answers: the part of {@code provider/model} before the slash. */
    String name();

    ChatModel chatModel(ModelTarget target);

    /** Providers whose wire format streams override this; the default says clearly that this one does not. */
    default StreamingChatModel streamingChatModel(ModelTarget target) {
        throw new ProviderException(target.describe() + ": provider '" + name() + "' does not stream");
    }
}
