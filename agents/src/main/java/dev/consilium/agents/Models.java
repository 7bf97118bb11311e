package dev.consilium.agents;

import dev.consilium.agents.provider.Providers;
import dev.langchain4j.model.chat.ChatModel;

/**
 * Model refs resolved the simple way: through one process-wide {@link Providers} with no providers file, keys
 * from the environment. Build your own {@link Providers} (and pass it to {@link Agent.Builder#providers}) for
 * deployments, a cache, a ledger or a budget.
 */
public final class Models {

    private Models() {}

    private static final class Default {
        static final Providers PROVIDERS = Providers.builder().build();
    }

    /** The process-wide default providers, built on first use. */
    public static Providers providers() {
        return Default.PROVIDERS;
    }

    /** The recorded model for {@code ref}, e.g. {@code openai/gpt-4o-mini}. */
    public static ChatModel chatModel(String ref) {
        return RecordingChatModel.wrap(providers().chatModel(ref));
    }
}
