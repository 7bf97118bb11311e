package dev.consilium.agents.provider.ledger;

import dev.consilium.agents.provider.Deployment;
import dev.consilium.agents.provider.ModelRef;
import dev.consilium.agents.provider.ProviderException;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.anthropic.AnthropicTokenUsage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.googleai.GoogleAiGeminiTokenUsage;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.TokenUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LedgerTest {

    private static ChatResponse response(TokenUsage usage) {
        return ChatResponse.builder().aiMessage(AiMessage.from("ok")).tokenUsage(usage).build();
    }

    @Test
    void openAiCachedAndReasoningTokensAreInsideItsTotalsAndAreTakenOut() {
        var t = OpenAiTokenUsage.builder().inputTokenCount(1000).outputTokenCount(300)
                .inputTokensDetails(OpenAiTokenUsage.InputTokensDetails.builder().cachedTokens(600).build())
                .outputTokensDetails(OpenAiTokenUsage.OutputTokensDetails.builder().reasoningTokens(200).build())
                .build();

        assertEquals(new Usage(400, 600, 0, 100, 200), Usage.of(response(t)));
    }

    @Test
    void anthropicCacheTokensAreOutsideItsInputAndAreAdded() {
        var t = AnthropicTokenUsage.builder().inputTokenCount(50).outputTokenCount(70)
                .cacheReadInputTokens(900).cacheCreationInputTokens(300).build();

        Usage u = Usage.of(response(t));

        assertEquals(new Usage(50, 900, 300, 70, 0), u);
        assertEquals(1250, u.inputTokens());
    }

    @Test
    void geminiCachedTokensAreInsideThePromptAndThoughtsOutsideTheCandidates() {
        var t = GoogleAiGeminiTokenUsage.builder().inputTokenCount(800).outputTokenCount(40)
                .cachedContentTokenCount(500).thoughtsTokenCount(60).build();

        assertEquals(new Usage(300, 500, 0, 40, 60), Usage.of(response(t)));
    }

    @Test
    void plainTokenUsageIsAllUncachedInputAndOutput() {
        assertEquals(new Usage(26, 0, 0, 298, 0), Usage.of(response(new TokenUsage(26, 298))));
        assertEquals(Usage.ZERO, Usage.of(response(null)));
    }

    @Test
    void cacheReadsAndWritesArePricedAtTheirOwnRates() {
        ModelPrice p = new ModelPrice(3e-6, 1.5e-5, 3e-7, 3.75e-6, null, null);

        assertEquals(100 * 3e-6 + 1000 * 3e-7 + 200 * 3.75e-6 + 50 * 1.5e-5 + 10 * 1.5e-5,
                p.cost(new Usage(100, 1000, 200, 50, 10)), 1e-15);
        assertEquals((100 + 1000 + 200) * 1e-6 + 60 * 2e-6,
                ModelPrice.of(1e-6, 2e-6).cost(new Usage(100, 1000, 200, 50, 10)), 1e-15, "missing cache prices fall back to input");
    }

    @Test
    void deepSeeksCacheHitPriceCountsAsTheCacheReadPriceWhenThatIsAbsent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prices.json");
        Files.writeString(file, """
                {"deepseek/deepseek-chat": {"input_cost_per_token": 2.8e-07, "input_cost_per_token_cache_hit": 2.8e-08,
                                            "output_cost_per_token": 4.2e-07, "litellm_provider": "deepseek"}}
                """);

        ModelPrice p = PriceTable.load(file).find(ModelRef.parse("deepseek/deepseek-chat")).orElseThrow();

        assertEquals(176 * 2.8e-7 + 1024 * 2.8e-8 + 50 * 4.2e-7, p.cost(new Usage(176, 1024, 0, 50, 0)), 1e-15);
    }

    @Test
    void bundledPricesAreFoundByProviderAndModelOrByModelAlone() {
        PriceTable bundled = PriceTable.bundled();

        assertEquals(1.5e-7, bundled.find(ModelRef.parse("openai/gpt-4o-mini")).orElseThrow().inputCostPerToken());
        assertEquals(2.8e-8, bundled.find(ModelRef.parse("deepseek/deepseek-chat")).orElseThrow().cacheReadInputTokenCost());
        assertEquals(1e-7, bundled.find(ModelRef.parse("gemini/gemini-2.0-flash")).orElseThrow().inputCostPerToken());
        assertTrue(bundled.find(ModelRef.parse("ollama/llama3.2")).isEmpty());
    }

    @Test
    void aUserPriceFileInLiteLlmsFormatOverridesTheBundledOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prices.json");
        Files.writeString(file, """
                {
                  "sample_spec": {"input_cost_per_token": "not a number", "mode": "chat"},
                  "256-x-256/dall-e-2": {"input_cost_per_pixel": 2.4414e-07, "mode": "image_generation"},
                  "gpt-4o-mini": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06,
                                  "litellm_provider": "openai", "max_tokens": 16384, "supports_vision": true}
                }
                """);

        PriceTable table = PriceTable.bundled().overriddenBy(PriceTable.load(file));

        assertEquals(1e-6, table.find("gpt-4o-mini").orElseThrow().inputCostPerToken());
        assertTrue(table.find("gpt-4o").isPresent());
        assertTrue(table.find("sample_spec").isEmpty());
        assertTrue(table.find("256-x-256/dall-e-2").isEmpty());
    }

    @Test
    void anUnpricedModelCostsNothingWithExactlyOneWarning() {
        List<String> warnings = new ArrayList<>();
        Ledger ledger = Ledger.builder().warnings(warnings::add).build();
        Deployment local = Deployment.of("ollama/llama3.2");

        for (int i = 0; i < 3; i++) ledger.record(Attribution.DEFAULT, local, response(new TokenUsage(10, 10)));

        assertEquals(1, warnings.size());
        assertTrue(warnings.getFirst().startsWith("no price for model ollama/llama3.2"), warnings.getFirst());
        assertEquals(0.0, ledger.spentUsd());
        assertFalse(ledger.records().getFirst().priced());
    }

    @Test
    void aDeploymentsOwnPriceWinsOverTheTable() {
        Ledger ledger = Ledger.builder().build();
        Deployment discounted = Deployment.builder().model("openai/gpt-4o-mini").price(ModelPrice.of(1e-8, 1e-8)).build();

        UsageRecord r = ledger.record(Attribution.DEFAULT, discounted, response(new TokenUsage(100, 100)));

        assertEquals(200 * 1e-8, r.costUsd(), 1e-18);
    }

    @Test
    void totalsAddUpPerRunPerAgentAndPerModel() {
        Ledger ledger = Ledger.builder().build();
        Deployment mini = Deployment.of("openai/gpt-4o-mini");
        Deployment ds = Deployment.of("deepseek/deepseek-chat");
        ledger.record(Attribution.of("r1", "solver"), mini, response(new TokenUsage(100, 10)));
        ledger.record(Attribution.of("r1", "critic"), ds, response(new TokenUsage(200, 20)));
        ledger.record(Attribution.of("r2", "solver"), mini, response(new TokenUsage(300, 30)));

        assertEquals(Map.of("r1", 2L, "r2", 1L), counts(ledger.byRun()));
        assertEquals(Map.of("solver", 2L, "critic", 1L), counts(ledger.byAgent()));
        assertEquals(new Usage(400, 0, 0, 40, 0), ledger.byModel().get("openai/gpt-4o-mini").usage());
        assertEquals(400 * 1.5e-7 + 40 * 6e-7, ledger.byModel().get("openai/gpt-4o-mini").costUsd(), 1e-15);
        assertEquals(ledger.spentUsd(), ledger.total().costUsd(), 1e-15);
        assertEquals(3, ledger.total().calls());
    }

    @Test
    void theBudgetErrorSaysWhatWasSpent() {
        Ledger ledger = Ledger.builder().budgetUsd(0).build();

        var e = assertThrows(BudgetExceededException.class, ledger::checkBudget);

        assertEquals("budget of $0.0000 is spent ($0.000000 over 0 calls); no new model calls are made", e.getMessage());
    }

    private static Map<String, Long> counts(Map<String, Totals> totals) {
        Map<String, Long> out = new java.util.HashMap<>();
        totals.forEach((k, v) -> out.put(k, v.calls()));
        return out;
    }

    @Test
    void aLedgerWithAFileAppendsEachCallAsAJsonLineAndAReopenedOneStartsFromThem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("runs").resolve("usage.jsonl");
        Deployment d = Deployment.builder().model("openai/gpt-4o-mini").price(ModelPrice.of(1e-6, 2e-6)).build();
        Ledger first = Ledger.builder().file(file).build();

        first.record(Attribution.of("run-1", "solver"), d, response(new TokenUsage(100, 10)));
        first.record(Attribution.of("run-1", "critic"), d, response(new TokenUsage(200, 20)));
        Ledger reopened = Ledger.builder().file(file).budgetUsd(0.0003).build();

        assertEquals(2, Files.readAllLines(file).size());
        assertTrue(Files.readAllLines(file).getFirst().contains("\"agent\":\"solver\""), Files.readString(file));
        assertEquals(first.records(), reopened.records());
        assertEquals(first.spentUsd(), reopened.spentUsd(), 1e-15);
        assertThrows(BudgetExceededException.class, reopened::checkBudget, "the budget counts the file's usage");
    }

    @Test
    void aRecordCutShortByACrashIsDroppedAndAppendingGoesOnFromWholeRecords(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("usage.jsonl");
        Deployment d = Deployment.of("openai/gpt-4o-mini");
        Ledger.builder().file(file).warnings(w -> {}).build().record(Attribution.DEFAULT, d, response(new TokenUsage(1, 2)));
        Files.writeString(file, "{\"run\":\"default\",\"age", StandardOpenOption.APPEND);

        Ledger reopened = Ledger.builder().file(file).warnings(w -> {}).build();
        reopened.record(Attribution.DEFAULT, d, response(new TokenUsage(3, 4)));

        assertEquals(2, Files.readAllLines(file).size());
        assertEquals(2, Ledger.builder().file(file).build().size());
    }

    @Test
    void aDamagedLedgerFileIsNamedWithItsLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("usage.jsonl");
        Files.writeString(file, "not json\n");

        var e = assertThrows(ProviderException.class, () -> Ledger.builder().file(file).build());

        assertTrue(e.getMessage().startsWith(file + ": line 1 is not a usage record"), e.getMessage());
    }
}
