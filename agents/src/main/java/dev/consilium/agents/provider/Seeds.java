package dev.consilium.agents.provider;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.ollama.OllamaChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;

/**
 * A per-request seed. LangChain4j's common {@code ChatRequestParameters} has none; each vendor client reads its
 * own parameters subclass, and silently drops a seed carried by another vendor's. So the seed goes into the
 * subclass the model's own defaults are: OpenAI's for the OpenAI wire (OpenAI, DeepSeek, any OpenAI-compatible
 * server), Ollama's for Ollama, and OpenAI's too for models with plain defaults, which is where the built-in
 * model reads it. Anthropic's API takes no seed, and Gemini's client sets one per model rather than per request:
 * those fail here rather than sample unseeded while the caller believes otherwise.
 */
public final class Seeds {

    private Seeds() {}

    /**
     * @param parameters    the request's own parameters
     * @param modelDefaults the model's {@code defaultRequestParameters()}, whose type says which subclass it reads
     * @param model         names the model in the error
     */
    public static ChatRequestParameters withSeed(ChatRequestParameters parameters, ChatRequestParameters modelDefaults,
                                                 int seed, String model) {
        if (modelDefaults instanceof OllamaChatRequestParameters) {
            return OllamaChatRequestParameters.builder().overrideWith(parameters).seed(seed).build();
        }
        if (modelDefaults instanceof OpenAiChatRequestParameters || modelDefaults.getClass() == DefaultChatRequestParameters.class) {
            return OpenAiChatRequestParameters.builder().overrideWith(parameters).seed(seed).build();
        }
        throw new ProviderException(model + ": its client (" + modelDefaults.getClass().getSimpleName()
                + ") takes no per-request seed; leave the seed out for this model");
    }
}
