package dev.consilium.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.consilium.agents.provider.decorator.Sleeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code consilium chat} against an OpenAI-compatible server on loopback, one-shot and turn by turn from stdin. */
class ChatCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OpenAiStub stub = new OpenAiStub();

    @AfterEach
    void stop() {
        stub.close();
    }

    private MainTest.Run chat(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "chat";
        System.arraycopy(args, 0, all, 1, args.length);
        return MainTest.run(all);
    }

    private static MainTest.Run withStdin(String input, java.util.function.Supplier<MainTest.Run> run) {
        InputStream in = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return run.get();
        } finally {
            System.setIn(in);
        }
    }

    @Test
    void aMessageArgumentGetsOneStreamedAnswerWithTheGivenParameters() {
        MainTest.Run r = chat("--model", "openai-compatible/local", "--base-url", stub.baseUrl() + "/v1",
                "--system", "Be brief.", "--temperature", "0.2", "--max-tokens", "16", "--seed", "7", "What is 17 + 25?");

        assertEquals(0, r.exit(), r.err());
        assertEquals("answer 1 to: What is 17 + 25?\n", r.out());
        JsonNode sent = stub.bodies.getFirst();
        assertEquals("local", sent.path("model").asText());
        assertTrue(sent.path("stream").asBoolean(), "the model streams, so chat streams: " + sent);
        assertEquals(List.of("system: Be brief.", "user: What is 17 + 25?"), messages(sent));
        assertEquals(0.2, sent.path("temperature").asDouble());
        assertEquals(16, sent.path("max_tokens").asInt());
        assertEquals(7, sent.path("seed").asInt());
        assertNull(stub.authorization, "no key variable named, no key sent");
    }

    @Test
    void withoutAMessageEachLineOfStandardInputIsAUserTurnOfOneConversation() {
        MainTest.Run r = withStdin("first\n\nsecond\n", () ->
                chat("--model", "openai-compatible/local", "--base-url", stub.baseUrl() + "/v1"));

        assertEquals(0, r.exit(), r.err());
        assertEquals("answer 1 to: first\nanswer 2 to: second\n", r.out());
        assertEquals(2, stub.bodies.size(), "the blank line is skipped");
        assertEquals(List.of("user: first", "assistant: answer 1 to: first", "user: second"), messages(stub.bodies.get(1)));
    }

    @Test
    void aModelThatDoesNotStreamIsAnsweredWhole() {
        MainTest.Run r = withStdin("one\ntwo\n", () -> chat("--model", "test-plain/x", "--system", "Hi."));

        assertEquals(0, r.exit(), r.err());
        assertEquals("2 messages, last: one\n4 messages, last: two\n", r.out());
    }

    @Test
    void aServerErrorIsOneLineNamingTheModelAndTheStatus() {
        stub.status = 401;

        MainTest.Run r = chat("--model", "openai-compatible/local", "--base-url", stub.baseUrl() + "/v1", "hi");

        assertEquals(1, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("consilium chat: openai-compatible/local: HTTP 401: "), r.err());
        assertFalse(r.out().contains("answer"), r.out());
    }

    @Test
    void aRefWithoutABaseUrlOrProviderSaysWhatIsMissing() {
        MainTest.Run noUrl = chat("--model", "openai-compatible/local", "hi");
        MainTest.Run unknown = chat("--model", "mistral/large", "hi");

        assertEquals(1, noUrl.exit());
        assertTrue(noUrl.err().startsWith("consilium chat: openai-compatible/local: no base URL"), noUrl.err());
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().startsWith("consilium chat: mistral/large: unknown provider 'mistral'"), unknown.err());
        assertEquals(0, stub.bodies.size());
    }

    @Test
    void aDeploymentOfTheProvidersFileReadsItsKeyFromItsVariableAndAMissingOneIsNamed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("providers.json");
        Files.writeString(file, """
                {"deployments": [{"name": "claude", "model": "anthropic/claude-3-5-haiku-20241022",
                                  "apiKeyEnv": "CONSILIUM_TEST_KEY_NEVER_SET"}]}
                """);

        MainTest.Run r = chat("--providers", file.toString(), "--model", "claude", "--base-url", stub.baseUrl(), "hi");

        assertEquals(1, r.exit());
        assertEquals("consilium chat: anthropic/claude-3-5-haiku-20241022 (deployment 'claude'): environment variable "
                + "CONSILIUM_TEST_KEY_NEVER_SET is not set; export it with the API key, or set \"apiKeyEnv\" on the "
                + "deployment to the variable that holds it\n", r.err());
        assertEquals(0, stub.bodies.size());
    }

    /** {@code consilium chat ARGS} with the chat command's clock and environment set for the test. */
    private static MainTest.Run chat(Sleeper sleeper, Map<String, String> env, String... args) {
        CommandLine cli = Main.commandLine();
        ChatCommand command = cli.getSubcommands().get("chat").getCommand();
        command.sleeper = sleeper;
        command.env = env::get;
        StringWriter out = new StringWriter(), err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        all[0] = "chat";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = cli.execute(all);
        return new MainTest.Run(exit, out.toString(), err.toString());
    }

    @Test
    void aRateLimitBeforeTheFirstTokenIsRetriedAfterTheServersRetryAfter() {
        stub.rateLimited.set(1);
        List<Duration> waits = new CopyOnWriteArrayList<>();

        MainTest.Run r = chat(waits::add, Map.of(), "--model", "openai-compatible/local", "--base-url", stub.baseUrl() + "/v1", "ping");

        assertEquals(0, r.exit(), r.err());
        assertEquals("answer 1 to: ping\n", r.out());
        assertEquals(2, stub.bodies.size(), "the 429, then the stream");
        assertEquals(List.of(Duration.ofSeconds(1)), waits, "waited what Retry-After asked");
    }

    @Test
    void aKeyTheServerEchoesInItsErrorNeverReachesTheTerminal(@TempDir Path dir) throws IOException {
        String key = "sk-CHAT-ECHO-00aa11bb22cc33dd";
        Path file = Files.writeString(dir.resolve("providers.json"), """
                {"deployments": [{"name": "team", "model": "openai-compatible/local", "baseUrl": "%s/v1", "apiKeyEnv": "TEAM_KEY"}]}
                """.formatted(stub.baseUrl()));
        stub.status = 401;

        MainTest.Run r = chat(d -> {}, Map.of("TEAM_KEY", key), "--providers", file.toString(), "--model", "team", "hi");

        assertEquals(1, r.exit());
        assertEquals("Bearer " + key, stub.authorization, "the key was sent, so the server could echo it");
        assertTrue(r.err().contains("Incorrect API key provided: [redacted $TEAM_KEY]"), r.err());
        assertFalse(r.err().contains(key) || r.out().contains(key), r.err());
    }

    @Test
    void theCacheAndTheLedgerAreSwitchedOnFromTheCommandLine(@TempDir Path dir) throws IOException {
        String[] args = {"--model", "openai-compatible/local", "--base-url", stub.baseUrl() + "/v1",
                "--cache", dir.resolve("cache").toString(), "--ledger", dir.resolve("usage.jsonl").toString(), "What is 2 + 2?"};

        MainTest.Run first = chat(args);
        MainTest.Run second = chat(args);
        MainTest.Run replay = chat("--model", "openai-compatible/local", "--base-url", stub.baseUrl() + "/v1",
                "--cache", dir.resolve("cache").toString(), "--cache-mode", "read-only", "What is 3 + 3?");

        assertEquals("answer 1 to: What is 2 + 2?\n", first.out(), first.err());
        assertEquals(first.out(), second.out(), second.err());
        assertEquals(1, stub.bodies.size(), "the second answer came from the cache");
        List<String> usage = Files.readAllLines(dir.resolve("usage.jsonl"));
        assertEquals(1, usage.size(), "one model call, one usage line");
        assertTrue(usage.getFirst().contains("\"model\":\"openai-compatible/local\""), usage.getFirst());
        assertEquals(1, replay.exit());
        assertTrue(replay.err().contains("has no response for this request"), replay.err());
    }

    private static List<String> messages(JsonNode body) {
        return ((ArrayNode) body.path("messages")).valueStream()
                .map(m -> m.path("role").asText() + ": " + m.path("content").asText()).toList();
    }

    /**
     * {@code POST /v1/chat/completions} in OpenAI's wire format: answers "answer N to: LAST" (N counts the user
     * turns), streamed in two chunks ending {@code data: [DONE]}; or fails with {@link #status}.
     */
    private static final class OpenAiStub implements AutoCloseable {
        final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
        volatile int status = 200;
        /** How many requests, first to last, are answered 429 with {@code Retry-After: 1} before any other answer. */
        final AtomicInteger rateLimited = new AtomicInteger();
        volatile String authorization;
        private final HttpServer server;

        OpenAiStub() {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            server.createContext("/v1/chat/completions", this::handle);
            server.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private void handle(HttpExchange exchange) throws IOException {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            bodies.add(body);
            authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (rateLimited.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                exchange.getResponseHeaders().set("Retry-After", "1");
                send(exchange, 429, "application/json", "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}");
                return;
            }
            if (status != 200) {
                // Like OpenAI: the key it was sent, echoed back in the error.
                String echoed = authorization == null ? "" : ": " + authorization.substring("Bearer ".length());
                send(exchange, status, "application/json", "{\"error\":{\"message\":\"Incorrect API key provided" + echoed
                        + "\",\"type\":\"invalid_request_error\"}}");
                return;
            }
            List<JsonNode> users = body.path("messages").valueStream().filter(m -> m.path("role").asText().equals("user")).toList();
            String answer = "answer " + users.size() + " to: " + users.getLast().path("content").asText();
            int half = answer.length() / 2;
            send(exchange, 200, "text/event-stream", "data: " + chunk("{\"role\":\"assistant\",\"content\":" + quote(answer.substring(0, half)) + "}", "null") + "\n\n"
                    + "data: " + chunk("{\"content\":" + quote(answer.substring(half)) + "}", "null") + "\n\n"
                    + "data: " + chunk("{}", "\"stop\"") + "\n\n"
                    + "data: [DONE]\n\n");
        }

        private static String chunk(String delta, String finish) {
            return "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"local\",\"choices\":"
                    + "[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}";
        }

        private static String quote(String s) {
            try {
                return JSON.writeValueAsString(s);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
