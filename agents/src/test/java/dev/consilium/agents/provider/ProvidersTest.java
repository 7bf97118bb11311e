package dev.consilium.agents.provider;

import dev.consilium.agents.provider.ledger.Ledger;
import dev.consilium.agents.provider.ledger.ModelPrice;
import dev.consilium.agents.provider.testing.FakeChatModel;
import dev.langchain4j.model.chat.ChatModel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProvidersTest {

    private static Providers.Builder noKeys() {
        return Providers.builder().env(name -> null);
    }

    @Test
    void theBuiltInVendorsAndAThirdPartyProviderAreFoundThroughServiceLoader() {
        assertEquals(List.of("anthropic", "builtin", "deepseek", "gemini", "ollama", "openai", "openai-compatible", "test-echo"),
                List.copyOf(noKeys().build().providerNames()));
    }

    @Test
    void aThirdPartyProviderServesItsRefsWithoutAnyChangeToConsilium() {
        assertEquals("parrot: hello", noKeys().build().chatModel("test-echo/parrot").chat("hello"));
    }

    @Test
    void aBuiltinRefWithoutACheckpointNamesWhereItLookedAndAnotherProviderCanServeBuiltinRefs() {
        var e = assertThrows(ProviderException.class, () -> noKeys().build().chatModel("builtin/tiny-arith"));
        assertTrue(e.getMessage().startsWith("builtin/tiny-arith: no checkpoint at "), e.getMessage());
        assertTrue(e.getMessage().contains("models/tiny-arith"), e.getMessage());

        ChatModelProvider builtin = new ChatModelProvider() {
            @Override
            public String name() {
                return Providers.BUILTIN;
            }

            @Override
            public ChatModel chatModel(ModelTarget target) {
                return new FakeChatModel().then(FakeChatModel.reply("built-in " + target.modelName()));
            }
        };
        assertEquals("built-in tiny-arith", noKeys().provider(builtin).build().chatModel("builtin/tiny-arith").chat("hi"));
    }

    @Test
    void anUnknownProviderIsNamedWithTheKnownOnes() {
        var e = assertThrows(ProviderException.class, () -> noKeys().build().chatModel("mistral/mistral-large"));
        assertTrue(e.getMessage().startsWith("mistral/mistral-large: unknown provider 'mistral'; known: anthropic, builtin, deepseek, "
                + "gemini, ollama, openai, openai-compatible, test-echo."), e.getMessage());
    }

    @Test
    void aMissingKeyNamesTheVariableToSet() {
        var e = assertThrows(ProviderException.class, () -> noKeys().build().chatModel("anthropic/claude-3-5-haiku-20241022"));
        assertTrue(e.getMessage().startsWith(
                "anthropic/claude-3-5-haiku-20241022: environment variable ANTHROPIC_API_KEY is not set"), e.getMessage());

        Deployment team = Deployment.builder().name("team").model("openai/gpt-4o-mini").apiKeyEnv("TEAM_KEY").build();
        var custom = assertThrows(ProviderException.class,
                () -> noKeys().config(ProvidersConfig.of(team)).build().chatModel("team"));
        assertTrue(custom.getMessage().startsWith(
                "openai/gpt-4o-mini (deployment 'team'): environment variable TEAM_KEY is not set"), custom.getMessage());
    }

    @Test
    void anOpenAiCompatibleRefNeedsABaseUrl() {
        var e = assertThrows(ProviderException.class, () -> noKeys().build().chatModel("openai-compatible/qwen"));
        assertEquals("openai-compatible/qwen: no base URL; add {\"name\": \"openai-compatible/qwen\", \"model\": "
                + "\"openai-compatible/qwen\", \"baseUrl\": \"http://HOST:PORT/v1\"} to the providers file", e.getMessage());
    }

    @Test
    void aRefResolvesToItsDeploymentByNameThenByModelElseToTheProviderDefaults() {
        Deployment fast = Deployment.builder().name("fast").model("openai/gpt-4o-mini").rpm(10).build();
        Providers p = noKeys().config(ProvidersConfig.of(fast)).build();

        assertEquals(fast, p.deployment("fast"));
        assertEquals(fast, p.deployment("openai/gpt-4o-mini"));
        assertEquals(Deployment.of("openai/gpt-4o"), p.deployment("openai/gpt-4o"));
    }

    @Test
    void pricesInTheProvidersFileAttachToDeploymentsByModel() {
        var config = new ProvidersConfig(List.of(), Map.of("llama3.2", ModelPrice.of(1e-9, 2e-9)));

        assertEquals(2e-9, noKeys().config(config).build().deployment("ollama/llama3.2").price().outputCostPerToken());
    }

    @Test
    void aModelIsBuiltOncePerRefAndShared() {
        Providers p = noKeys().ledger(Ledger.builder().build()).build();
        assertSame(p.chatModel("test-echo/a"), p.chatModel("test-echo/a"));
    }

    @Test
    void whetherARefStreamsIsKnownWithoutAKey() {
        Providers p = noKeys().build();

        assertTrue(p.streams("openai/gpt-4o-mini"));
        assertTrue(p.streams("ollama/llama3.2"));
        assertFalse(p.streams("test-echo/a"));
    }

    @Test
    void aProviderWithoutStreamingSaysSo() {
        var e = assertThrows(ProviderException.class, () -> noKeys().build().streamingChatModel("test-echo/a"));
        assertEquals("test-echo/a: provider 'test-echo' does not stream", e.getMessage());
    }
}
