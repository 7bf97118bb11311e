package dev.consilium.agents.provider;

import dev.consilium.agents.provider.decorator.DeadlineExceededException;
import dev.consilium.agents.provider.ledger.Attribution;
import dev.consilium.agents.provider.ledger.BudgetExceededException;
import dev.consilium.agents.provider.ledger.Ledger;
import dev.consilium.agents.provider.ledger.Usage;
import dev.consilium.agents.provider.ledger.UsageRecord;
import dev.consilium.agents.provider.testing.FixtureServer;
import dev.consilium.agents.provider.testing.ManualClock;
import dev.consilium.agents.provider.testing.Reply;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults injected at the HTTP level under the real vendor clients: each gives the documented retry, fallback or
 * clear error, and the ledger holds exactly the calls that succeeded. Waits are recorded by a manual clock, so
 * nothing here sleeps.
 */
class FaultInjectionTest {

    private static final Map<String, String> ENV = Map.of(
            "OPENAI_API_KEY", "sk-fault", "DEEPSEEK_API_KEY", "sk-fault", "ANTHROPIC_API_KEY", "sk-fault");
    /** openai/chat.json as the ledger normalizes it, and its price at gpt-4o-mini's bundled rates. */
    private static final Usage CHAT_USAGE = new Usage(93, 1024, 0, 46, 12);
    private static final double CHAT_COST = 93 * 1.5e-7 + 1024 * 7.5e-8 + (46 + 12) * 6e-7;

    private final FixtureServer server = FixtureServer.start();
    private final FixtureServer backup = FixtureServer.start();
    private final ManualClock clock = new ManualClock();
    private final Ledger ledger = Ledger.builder().warnings(w -> {}).build();

    @AfterEach
    void stop() {
        server.close();
        backup.close();
    }

    private Deployment.Builder openAi() {
        return Deployment.builder().name("main").model("openai/gpt-4o-mini").baseUrl(server.baseUrl() + "/v1");
    }

    private Providers providers(Deployment... deployments) {
        return providers(ledger, deployments);
    }

    private Providers providers(Ledger ledger, Deployment... deployments) {
        return Providers.builder().config(ProvidersConfig.of(deployments)).env(ENV::get).ledger(ledger)
                .clock(clock).sleeper(clock).random(new Random(7)).circuitBreaker(2, Duration.ofSeconds(30)).build();
    }

    @Test
    void rateLimitedWithRetryAfterIsRetriedAfterExactlyTheServersWait() {
        server.enqueue(Reply.fixture(429, "openai/error-429.json").header("Retry-After", "7"), Reply.fixture("openai/chat.json"));

        String answer = providers(openAi().build()).chatModel("main").chat("17 + 25?");

        assertEquals("17 + 25 = 42", answer);
        assertEquals(2, server.count());
        assertEquals(List.of(Duration.ofSeconds(7)), clock.sleeps());
        assertLedger(CHAT_COST, CHAT_USAGE);
    }

    @Test
    void serverErrorsAreRetriedWithGrowingJitteredBackoff() {
        server.enqueue(Reply.fixture(500, "openai/error-500.json"), Reply.fixture(500, "openai/error-500.json"),
                Reply.fixture("openai/chat.json"));

        providers(openAi().build()).chatModel("main").chat("17 + 25?");

        assertEquals(3, server.count());
        List<Duration> sleeps = clock.sleeps();
        assertEquals(2, sleeps.size());
        assertBetween(sleeps.get(0), Duration.ofMillis(250), Duration.ofMillis(500));
        assertBetween(sleeps.get(1), Duration.ofMillis(500), Duration.ofMillis(1000));
        assertLedger(CHAT_COST, CHAT_USAGE);
    }

    @Test
    void anthropicOverloaded529IsRetried() {
        Deployment claude = Deployment.builder().model("anthropic/claude-3-5-haiku-20241022").baseUrl(server.baseUrl() + "/v1").build();
        server.enqueue(Reply.fixture(529, "anthropic/error-529.json"), Reply.fixture("anthropic/message.json"));

        String answer = providers(claude).chatModel(claude.name()).chat("Capital of France?");

        assertEquals("Paris is the capital of France.", answer);
        assertEquals(2, server.count());
        assertEquals(1, clock.sleeps().size());
        assertLedger(21 * 8e-7 + 1800 * 8e-8 + 188 * 1e-6 + 393 * 4e-6, new Usage(21, 1800, 188, 393, 0));
    }

    @Test
    void aResetConnectionIsRetried() {
        server.enqueue(Reply.reset(), Reply.fixture("openai/chat.json"));

        String answer = providers(openAi().build()).chatModel("main").chat("17 + 25?");

        assertEquals("17 + 25 = 42", answer);
        assertEquals(2, server.count());
        assertEquals(1, clock.sleeps().size());
        assertLedger(CHAT_COST, CHAT_USAGE);
    }

    @Test
    void anAttemptPastItsHttpTimeoutIsRetried() {
        server.enqueue(Reply.hang(), Reply.fixture("openai/chat.json"));

        String answer = providers(openAi().timeoutSeconds(0.2).build()).chatModel("main").chat("17 + 25?");

        assertEquals("17 + 25 = 42", answer);
        assertEquals(2, server.count());
        assertEquals(1, clock.sleeps().size());
        assertLedger(CHAT_COST, CHAT_USAGE);
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404})
    void clientErrorsAreNeverRetried(int status) {
        server.otherwise(Reply.fixture(status, "openai/error-400.json"));

        var e = assertThrows(ModelCallException.class, () -> providers(openAi().build()).chatModel("main").chat("hi"));

        assertEquals(1, server.count());
        assertTrue(clock.sleeps().isEmpty());
        assertTrue(e.getMessage().startsWith("openai/gpt-4o-mini (deployment 'main'): HTTP " + status), e.getMessage());
        assertTrue(e.getMessage().contains("Invalid value for 'temperature'"), e.getMessage());
        assertLedger(0);
    }

    @Test
    void retriesRunOutWithAnErrorNamingDeploymentAttemptsAndStatus() {
        server.otherwise(Reply.fixture(500, "openai/error-500.json"));

        var e = assertThrows(ModelCallException.class,
                () -> providers(openAi().maxRetries(2).build()).chatModel("main").chat("hi"));

        assertEquals(3, server.count());
        assertEquals(3, e.attempts());
        assertTrue(e.getMessage().startsWith("openai/gpt-4o-mini (deployment 'main'): gave up after 3 attempts: HTTP 500"),
                e.getMessage());
        assertLedger(0);
    }

    @Test
    void malformedJsonIsAClearErrorAndNotRetried() {
        server.otherwise(Reply.fixture("openai/malformed.json"));

        var e = assertThrows(ModelCallException.class, () -> providers(openAi().build()).chatModel("main").chat("hi"));

        assertEquals(1, server.count());
        assertTrue(e.getMessage().contains("the response is not valid JSON"), e.getMessage());
        assertLedger(0);
    }

    @Test
    void aResponseSlowerThanTheDeadlineIsCancelled() {
        server.enqueue(Reply.hang());
        Providers p = providers(openAi().deadlineSeconds(0.3).build());

        long start = System.nanoTime();
        var e = assertThrows(DeadlineExceededException.class, () -> p.chatModel("main").chat("hi"));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertTrue(elapsedMs < 5_000, "returned after " + elapsedMs + " ms");
        assertTrue(e.getMessage().contains("deadline of 300 ms"), e.getMessage());
        assertLedger(0);
    }

    @Test
    void theDeadlineCancelsTheRetriesInProgressSoNoAttemptStartsAfterIt() {
        server.otherwise(Reply.hang());
        // Each attempt times out after 0.1 s and backoff waits take no real time: uncancelled, the retry loop
        // would send about ten requests a second for five seconds after the deadline. The deadline leaves room for
        // several attempts even when a loaded machine is slow to open the first connection.
        Providers p = providers(openAi().timeoutSeconds(0.1).maxRetries(50).deadlineSeconds(1.0).build());

        assertThrows(DeadlineExceededException.class, () -> p.chatModel("main").chat("hi"));
        int atDeadline = server.count();

        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
                .until(() -> server.count() <= atDeadline + 1);
        assertTrue(atDeadline >= 2, "retries ran before the deadline: " + atDeadline);
        assertLedger(0);
    }

    @Test
    void aFallbackGroupAnswersFromTheNextDeploymentAndTheBreakerSkipsTheBrokenOne() {
        server.otherwise(Reply.fixture(503, "openai/error-500.json"));
        backup.otherwise(Reply.fixture("deepseek/chat.json"));
        Deployment main = openAi().maxRetries(0).fallbackGroup("cheap").build();
        Deployment ds = Deployment.builder().name("ds").model("deepseek/deepseek-chat").baseUrl(backup.baseUrl())
                .fallbackGroup("cheap").build();
        var model = providers(main, ds).chatModel("main");

        assertEquals("42", model.chat("6 * 7?"));
        assertEquals("42", model.chat("6 * 7?"));
        assertEquals(2, server.count(), "two failures open the breaker");
        assertEquals("42", model.chat("6 * 7?"));
        assertEquals(2, server.count(), "an open breaker skips the deployment");

        clock.advance(Duration.ofSeconds(30));
        assertEquals("42", model.chat("6 * 7?"));
        assertEquals(3, server.count(), "after the cooldown one trial call goes through");

        assertEquals(4, backup.count());
        Usage served = new Usage(176, 1024, 0, 50, 0);
        assertLedger(4 * (176 * 2.8e-7 + 1024 * 2.8e-8 + 50 * 4.2e-7), served, served, served, served);
        for (UsageRecord r : ledger.records()) assertEquals("ds", r.deployment());
    }

    @Test
    void aSpentBudgetStopsNewCallsWithoutRetryOrFallback() {
        server.otherwise(Reply.fixture("openai/chat.json"));
        backup.otherwise(Reply.fixture("deepseek/chat.json"));
        Ledger small = Ledger.builder().budgetUsd(1e-4).warnings(w -> {}).build();
        Deployment main = openAi().fallbackGroup("g").build();
        Deployment ds = Deployment.builder().name("ds").model("deepseek/deepseek-chat").baseUrl(backup.baseUrl())
                .fallbackGroup("g").build();
        var model = providers(small, main, ds).chatModel("main");

        model.chat("first call starts under budget");
        var e = assertThrows(BudgetExceededException.class, () -> model.chat("second"));

        assertTrue(e.getMessage().startsWith("budget of $0.0001 is spent"), e.getMessage());
        assertEquals(1, server.count());
        assertEquals(0, backup.count());
        assertTrue(clock.sleeps().isEmpty());
        assertEquals(1, small.size());
    }

    @Test
    void listenersSeeEveryAttemptWithTheCallersAttribution() {
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        ChatModelListener recorder = new ChatModelListener() {
            @Override
            public void onResponse(ChatModelResponseContext c) {
                events.add("response for " + c.attributes().get(Attribution.class));
            }

            @Override
            public void onError(ChatModelErrorContext c) {
                events.add("error for " + c.attributes().get(Attribution.class));
            }
        };
        Providers p = Providers.builder().config(ProvidersConfig.of(openAi().build())).env(ENV::get).ledger(ledger)
                .clock(clock).sleeper(clock).listener(recorder).build();
        server.enqueue(Reply.fixture(500, "openai/error-500.json"), Reply.fixture("openai/chat.json"));
        var who = Attribution.of("run-9", "solver");

        p.chatModel("main").chat(ChatRequest.builder().messages(UserMessage.from("17 + 25?")).build(), who.options());

        assertEquals(List.of("error for " + who, "response for " + who), events);
        assertEquals("run-9", ledger.records().getFirst().run());
        assertEquals("solver", ledger.records().getFirst().agent());
    }

    /** The ledger holds exactly these calls' usage, in order, and their total cost. */
    private void assertLedger(double costUsd, Usage... calls) {
        assertEquals(List.of(calls), ledger.records().stream().map(UsageRecord::usage).toList());
        assertEquals(costUsd, ledger.spentUsd(), 1e-15);
    }

    private static void assertBetween(Duration d, Duration low, Duration high) {
        assertTrue(d.compareTo(low) >= 0 && d.compareTo(high) <= 0, d + " not in [" + low + ", " + high + "]");
    }
}
