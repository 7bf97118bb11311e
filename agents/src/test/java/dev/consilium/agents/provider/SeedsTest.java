package dev.consilium.agents.provider;

import dev.langchain4j.model.anthropic.AnthropicChatRequestParameters;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.ollama.OllamaChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SeedsTest {

    private static final ChatRequestParameters ASKED = DefaultChatRequestParameters.builder().temperature(0.7).maxOutputTokens(64).build();

    @Test
    void theOpenAiWireAndModelsWithPlainDefaultsGetTheSeedInOpenAisParameters() {
        for (ChatRequestParameters defaults : new ChatRequestParameters[] {
                OpenAiChatRequestParameters.builder().modelName("gpt-4o-mini").build(), DefaultChatRequestParameters.EMPTY}) {
            var p = assertInstanceOf(OpenAiChatRequestParameters.class, Seeds.withSeed(ASKED, defaults, 7, "m"));
            assertEquals(7, p.seed());
            assertEquals(0.7, p.temperature());
            assertEquals(64, p.maxOutputTokens());
        }
    }

    @Test
    void ollamaGetsTheSeedInItsOwnParameters() {
        var p = assertInstanceOf(OllamaChatRequestParameters.class,
                Seeds.withSeed(ASKED, OllamaChatRequestParameters.builder().build(), 7, "ollama/llama3.2"));

        assertEquals(7, p.seed());
        assertEquals(0.7, p.temperature());
    }

    @Test
    void aClientWithoutAPerRequestSeedIsRefusedByName() {
        var e = assertThrows(ProviderException.class, () -> Seeds.withSeed(ASKED,
                AnthropicChatRequestParameters.builder().build(), 7, "anthropic/claude-3-5-haiku-20241022"));

        assertEquals("anthropic/claude-3-5-haiku-20241022: its client (AnthropicChatRequestParameters) takes no "
                + "per-request seed; leave the seed out for this model", e.getMessage());
    }
}
