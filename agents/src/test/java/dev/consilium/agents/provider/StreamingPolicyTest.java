package dev.consilium.agents.provider;

import dev.consilium.agents.provider.ledger.Ledger;
import dev.consilium.agents.provider.testing.FixtureServer;
import dev.consilium.agents.provider.testing.ManualClock;
import dev.consilium.agents.provider.testing.Reply;
import dev.consilium.agents.provider.testing.Streams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream that has not begun is retried, rate limited and falls back like a blocking call; one that has begun is
 * not retried. Real LangChain4j streaming clients against a loopback server; waits go to a manual clock.
 */
class StreamingPolicyTest {

    private final FixtureServer server = FixtureServer.start();
    private final ManualClock clock = new ManualClock();
    private final Ledger ledger = Ledger.builder().warnings(w -> {}).build();

    @AfterEach
    void stop() {
        server.close();
    }

    private Providers providers(Deployment... deployments) {
        return Providers.builder().config(ProvidersConfig.of(deployments)).env(Map.of("OPENAI_API_KEY", "sk-test-0000")::get)
                .ledger(ledger).clock(clock).sleeper(clock).random(new Random(1)).build();
    }

    private Deployment.Builder openAi(String name) {
        return Deployment.builder().name(name).model("openai/gpt-4o-mini").baseUrl(server.baseUrl() + "/v1");
    }

    @Test
    void aRateLimitBeforeTheFirstTokenIsRetriedAfterTheServersRetryAfter() {
        server.enqueue(Reply.fixture(429, "openai/error-429.json").header("Retry-After", "1"),
                Reply.fixture("openai/chat-stream.sse"));

        Streams.Outcome out = Streams.run(providers(openAi("fast").build()).streamingChatModel("fast"), "hi");

        assertNull(out.error());
        assertEquals(List.of("Hello", " there"), out.partials(), "the caller saw only the stream that worked");
        assertEquals("Hello there", out.response().aiMessage().text());
        assertEquals(2, server.count());
        assertEquals(List.of(Duration.ofSeconds(1)), clock.sleeps(), "waited what the server asked");
        assertEquals(1, ledger.size(), "only the stream that ran is recorded");
    }

    @Test
    void aServerErrorOrAResetBeforeTheFirstTokenIsRetried() {
        server.enqueue(Reply.fixture(503, "openai/error-500.json"), Reply.reset(), Reply.fixture("openai/chat-stream.sse"));

        Streams.Outcome out = Streams.run(providers(openAi("fast").build()).streamingChatModel("fast"), "hi");

        assertNull(out.error());
        assertEquals("Hello there", out.response().aiMessage().text());
        assertEquals(3, server.count());
        assertEquals(2, clock.sleeps().size());
    }

    @Test
    void aDeploymentThatCannotBeginAStreamFallsBackToTheNextOfItsGroup() {
        server.enqueue(Reply.fixture(503, "openai/error-500.json"), Reply.fixture("openai/chat-stream.sse"));
        Providers p = providers(openAi("a").maxRetries(0).fallbackGroup("g").build(),
                openAi("b").maxRetries(0).fallbackGroup("g").build());

        Streams.Outcome out = Streams.run(p.streamingChatModel("a"), "hi");

        assertNull(out.error());
        assertEquals("Hello there", out.response().aiMessage().text());
        assertEquals("b", ledger.records().getFirst().deployment());
    }

    @Test
    void aStreamThatFailsAfterItsFirstTokenIsNotRetried() {
        server.enqueue(Reply.fixture("ollama/chat-stream-error.ndjson"), Reply.fixture("ollama/chat.json"));
        Providers p = providers(Deployment.builder().model("ollama/llama3.2").baseUrl(server.baseUrl()).build());

        Streams.Outcome out = Streams.run(p.streamingChatModel("ollama/llama3.2"), "Sky?");

        assertEquals(List.of("The"), out.partials());
        assertTrue(out.error().getMessage().contains("unexpected EOF"), out.error().toString());
        assertEquals(1, server.count(), "what the caller saw cannot be taken back, so nothing is tried again");
        assertEquals(List.of(), clock.sleeps());
    }

    @Test
    void anErrorThatRetryingCannotFixEndsTheStreamAtOnceNamingTheDeployment() {
        server.enqueue(Reply.fixture(401, "openai/error-401.json"));

        Streams.Outcome out = Streams.run(providers(openAi("fast").build()).streamingChatModel("fast"), "hi");

        assertEquals(List.of(), out.partials());
        assertTrue(out.error().getMessage().startsWith("openai/gpt-4o-mini (deployment 'fast'): HTTP 401"), out.error().getMessage());
        assertEquals(1, server.count());
    }
}
