package dev.consilium.agents.provider;

import dev.consilium.agents.provider.cache.CacheMode;
import dev.consilium.agents.provider.cache.ResponseCache;
import dev.consilium.agents.provider.ledger.Ledger;
import dev.consilium.agents.provider.testing.FixtureServer;
import dev.consilium.agents.provider.testing.ManualClock;
import dev.consilium.agents.provider.testing.Reply;
import dev.consilium.agents.provider.testing.Streams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sentinel key goes through successes, every kind of failure, a stream, the cache and the ledger; it must
 * reach the server and appear in nothing else: no message, stack trace, toString, log line or cache file.
 */
class SecretsNeverLeakTest {

    private static final String SENTINEL = "sk-SENTINEL-c0ns1l1um-9f8e7d6c5b4a3f2e";

    @TempDir
    Path cacheDir;

    private final StringBuilder seen = new StringBuilder();

    @Test
    void theKeyReachesTheServerAndNothingElse() throws IOException {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = System.out, err = System.err;
        PrintStream capture = new PrintStream(console, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try (FixtureServer server = FixtureServer.start()) {
            exercise(server);
            assertTrue(server.requests().stream().anyMatch(r -> ("Bearer " + SENTINEL).equals(r.header("Authorization"))),
                    "the key was sent, so the test could see it leak");
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String logs = console.toString(StandardCharsets.UTF_8);
        assertTrue(logs.contains("no price for model openai-compatible/qwen"), "log lines were captured: " + logs);
        seen.append(logs);
        try (Stream<Path> files = Files.walk(cacheDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) seen.append(Files.readString(f));
        }

        assertFalse(seen.isEmpty());
        assertFalse(seen.toString().contains(SENTINEL), "the key leaked");
        assertFalse(seen.toString().contains(SENTINEL.substring(12)), "part of the key leaked");
    }

    private void exercise(FixtureServer server) {
        String v1 = server.baseUrl() + "/v1";
        ProvidersConfig config = ProvidersConfig.of(
                Deployment.builder().name("ok").model("openai/gpt-4o-mini").baseUrl(v1).build(),
                Deployment.builder().name("limited").model("openai/gpt-4o").baseUrl(v1).maxRetries(1).build(),
                Deployment.builder().name("slow").model("openai/gpt-4o-mini").baseUrl(v1).deadlineSeconds(0.2).build(),
                Deployment.builder().name("down-a").model("openai/gpt-4o-mini").baseUrl(v1).maxRetries(0).fallbackGroup("down").build(),
                Deployment.builder().name("down-b").model("deepseek/deepseek-chat").baseUrl(v1).maxRetries(0).fallbackGroup("down").build(),
                Deployment.builder().name("qwen").model("openai-compatible/qwen").baseUrl(v1).apiKeyEnv("QWEN_KEY").build());
        ManualClock clock = new ManualClock();
        Providers providers = Providers.builder().config(config)
                .env(Map.of("OPENAI_API_KEY", SENTINEL, "DEEPSEEK_API_KEY", SENTINEL, "QWEN_KEY", SENTINEL)::get)
                .ledger(Ledger.builder().build())
                .cache(ResponseCache.open(cacheDir, CacheMode.READ_WRITE))
                .clock(clock).sleeper(clock).random(new Random(1))
                .build();

        server.enqueue(Reply.fixture("openai/chat.json"));
        seen.append(providers.chatModel("ok").chat("hi"));

        server.enqueue(Reply.fixture(401, "openai/error-401.json"));
        fails(() -> providers.chatModel("ok").chat("unauthorized"));

        server.enqueue(Reply.fixture(429, "openai/error-429.json").header("Retry-After", "1"),
                Reply.fixture(429, "openai/error-429.json").header("Retry-After", "1"));
        fails(() -> providers.chatModel("limited").chat("too many"));

        server.enqueue(Reply.hang());
        fails(() -> providers.chatModel("slow").chat("too slow"));

        server.enqueue(Reply.fixture(503, "openai/error-500.json"), Reply.fixture(503, "openai/error-500.json"));
        fails(() -> providers.chatModel("down-a").chat("all down"));

        server.enqueue(Reply.fixture("openai/malformed.json"));
        fails(() -> providers.chatModel("ok").chat("broken"));

        fails(() -> providers.chatModel("anthropic/claude-3-5-haiku-20241022"));

        server.enqueue(Reply.fixture(401, "openai/error-401.json"));
        Streams.Outcome stream = Streams.run(providers.streamingChatModel("ok"), "stream");
        seen.append(trace(stream.error()));

        server.enqueue(Reply.fixture("openai/chat.json"));
        seen.append(providers.chatModel("qwen").chat("unpriced"));

        for (String name : new String[] {"ok", "limited", "slow", "down-a", "qwen"}) {
            Deployment d = providers.deployment(name);
            seen.append(d).append(new ModelTarget(d, Map.of("OPENAI_API_KEY", SENTINEL)::get))
                    .append(providers.chatModel(name));
        }
        seen.append(providers.ledger().orElseThrow().records()).append(providers.ledger().orElseThrow().total());
    }

    private void fails(Executable call) {
        seen.append(trace(assertThrows(RuntimeException.class, call)));
    }

    private static String trace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return t + "\n" + w;
    }
}
