package dev.consilium.agents.provider;

import dev.consilium.agents.provider.cache.CacheMode;
import dev.consilium.agents.provider.cache.CacheSettings;
import dev.consilium.agents.provider.ledger.LedgerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProvidersConfigTest {

    private static final String FILE = """
            {
              "deployments": [
                {"name": "fast", "model": "openai/gpt-4o-mini", "apiKeyEnv": "TEAM_OPENAI_KEY",
                 "rpm": 500, "tpm": 200000, "fallbackGroup": "cheap", "timeoutSeconds": 20, "deadlineSeconds": 90,
                 "maxRetries": 2, "price": {"input_cost_per_token": 1e-7, "output_cost_per_token": 4e-7}},
                {"name": "ds", "model": "deepseek/deepseek-chat", "fallbackGroup": "cheap"},
                {"model": "openai-compatible/qwen", "baseUrl": "http://localhost:8000/v1", "modelName": "Qwen/Qwen2.5-7B-Instruct"},
                {"name": "other", "model": "anthropic/claude-3-5-haiku-20241022", "fallbackGroup": "careful"}
              ],
              "prices": {"llama3.2": {"input_cost_per_token": 0, "output_cost_per_token": 0}}
            }
            """;

    @Test
    void everyDeploymentFieldIsRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("providers.json");
        Files.writeString(file, FILE);

        ProvidersConfig config = ProvidersConfig.load(file);
        Deployment fast = config.find("fast").orElseThrow();

        assertEquals(4, config.deployments().size());
        assertEquals("openai/gpt-4o-mini", fast.model());
        assertEquals("TEAM_OPENAI_KEY", fast.apiKeyEnv());
        assertEquals(500, fast.rpm());
        assertEquals(200000, fast.tpm());
        assertEquals(Duration.ofSeconds(20), fast.timeout().orElseThrow());
        assertEquals(Duration.ofSeconds(90), fast.deadline().orElseThrow());
        assertEquals(2, fast.maxRetries());
        assertEquals(4e-7, fast.price().outputCostPerToken());
        assertEquals(0.0, config.prices().get("llama3.2").inputCostPerToken());
    }

    @Test
    void aDeploymentIsFoundByNameOrByItsModelRef() {
        ProvidersConfig config = ProvidersConfig.parse(FILE, "providers.json");

        assertEquals("fast", config.find("openai/gpt-4o-mini").orElseThrow().name());
        Deployment qwen = config.find("openai-compatible/qwen").orElseThrow();
        assertEquals("openai-compatible/qwen", qwen.name(), "the name defaults to the model ref");
        assertEquals("Qwen/Qwen2.5-7B-Instruct", qwen.wireModelName());
        assertTrue(config.find("openai/gpt-4o").isEmpty());
    }

    @Test
    void aFallbackGroupIsTheDeploymentThenItsGroupInFileOrder() {
        ProvidersConfig config = ProvidersConfig.parse(FILE, "providers.json");

        assertEquals(List.of("ds", "fast"), config.fallbacksOf(config.find("ds").orElseThrow()).stream().map(Deployment::name).toList());
        assertEquals(List.of("other"), config.fallbacksOf(config.find("other").orElseThrow()).stream().map(Deployment::name).toList());
    }

    @Test
    void aMisspeltFieldIsAnErrorNamingFileAndField() {
        var e = assertThrows(ProviderException.class, () -> ProvidersConfig.parse(
                "{\"deployments\": [{\"model\": \"openai/gpt-4o-mini\", \"rpmm\": 5}]}", "providers.json"));

        assertTrue(e.getMessage().startsWith("providers.json: "), e.getMessage());
        assertTrue(e.getMessage().contains("\"rpmm\""), e.getMessage());
    }

    @Test
    void invalidValuesAreErrorsNamingTheDeploymentAndField() {
        var e = assertThrows(ProviderException.class, () -> ProvidersConfig.parse(
                "{\"deployments\": [{\"name\": \"fast\", \"model\": \"openai/gpt-4o-mini\", \"rpm\": 0}]}", "providers.json"));
        assertEquals("providers.json: deployment 'fast': \"rpm\" must be positive, got 0", e.getMessage());

        var noModel = assertThrows(ProviderException.class, () -> ProvidersConfig.parse(
                "{\"deployments\": [{\"name\": \"fast\"}]}", "providers.json"));
        assertEquals("providers.json: deployment 'fast': missing \"model\" (a ref such as openai/gpt-4o-mini)", noModel.getMessage());
    }

    @Test
    void aNameUsedTwiceIsAnError() {
        var e = assertThrows(ProviderException.class, () -> ProvidersConfig.parse(
                "{\"deployments\": [{\"model\": \"openai/gpt-4o-mini\"}, {\"model\": \"openai/gpt-4o-mini\"}]}", "p.json"));
        assertEquals("p.json: deployment 'openai/gpt-4o-mini' is defined twice", e.getMessage());
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        var e = assertThrows(ProviderException.class, () -> ProvidersConfig.load(dir.resolve("nope.json")));
        assertEquals(dir.resolve("nope.json") + ": providers file not found", e.getMessage());
    }

    @Test
    void withReplacesTheDeploymentOfTheSameNameInPlaceOrAddsItLast() {
        ProvidersConfig config = ProvidersConfig.parse(FILE, "providers.json");
        Deployment moved = config.find("ds").orElseThrow().toBuilder().baseUrl("http://127.0.0.1:9/v1").build();

        ProvidersConfig replaced = config.with(moved);
        ProvidersConfig added = config.with(Deployment.of("ollama/llama3.2"));

        assertEquals(List.of("fast", "ds", "openai-compatible/qwen", "other"),
                replaced.deployments().stream().map(Deployment::name).toList());
        assertEquals("http://127.0.0.1:9/v1", replaced.find("ds").orElseThrow().baseUrl());
        assertEquals(List.of("fast", "ds", "openai-compatible/qwen", "other", "ollama/llama3.2"),
                added.deployments().stream().map(Deployment::name).toList());
        assertEquals(config.prices(), added.prices());
    }

    @Test
    void theCacheAndTheLedgerAreSwitchedOnFromTheFileWithPathsBesideIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("providers.json");
        Files.writeString(file, """
                {"cache": {"dir": "cache", "mode": "read-only"}, "ledger": {"file": "usage.jsonl", "budgetUsd": 2.5}}
                """);

        ProvidersConfig config = ProvidersConfig.load(file);
        Providers providers = Providers.builder().config(config).build();

        assertEquals(new CacheSettings(dir.resolve("cache"), CacheMode.READ_ONLY), config.cache());
        assertEquals(new LedgerSettings(dir.resolve("usage.jsonl"), 2.5), config.ledger());
        assertEquals(CacheMode.READ_ONLY, providers.cache().orElseThrow().mode());
        assertEquals(dir.resolve("usage.jsonl"), providers.ledger().orElseThrow().file().orElseThrow());
        assertTrue(Files.exists(dir.resolve("usage.jsonl")));
    }

    @Test
    void aCacheWithoutADirectoryOrWithAnUnknownModeIsNamed() {
        var noDir = assertThrows(ProviderException.class, () -> ProvidersConfig.parse("{\"cache\": {}}", "p.json"));
        var badMode = assertThrows(ProviderException.class,
                () -> ProvidersConfig.parse("{\"cache\": {\"dir\": \"c\", \"mode\": \"sometimes\"}}", "p.json"));

        assertTrue(noDir.getMessage().startsWith("p.json: \"cache\" needs a \"dir\""), noDir.getMessage());
        assertTrue(badMode.getMessage().contains("unknown cache mode 'sometimes'"), badMode.getMessage());
    }
}
