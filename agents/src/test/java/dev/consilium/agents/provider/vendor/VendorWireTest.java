package dev.consilium.agents.provider.vendor;

import dev.consilium.agents.provider.Deployment;
import dev.consilium.agents.provider.LogprobsMetadata;
import dev.consilium.agents.provider.Providers;
import dev.consilium.agents.provider.ProvidersConfig;
import dev.consilium.agents.provider.TokenLogprob;
import dev.consilium.agents.provider.ledger.Ledger;
import dev.consilium.agents.provider.ledger.Usage;
import dev.consilium.agents.provider.ledger.UsageRecord;
import dev.consilium.agents.provider.testing.FixtureServer;
import dev.consilium.agents.provider.testing.Reply;
import dev.consilium.agents.provider.testing.Streams;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LangChain4j's real OpenAI, DeepSeek (OpenAI wire), Anthropic, Gemini and Ollama clients, built by the providers,
 * against a local server that answers from recorded responses in each vendor's wire format.
 */
class VendorWireTest {

    private static final String KEY = "sk-test-VENDOR-WIRE-0000";
    private static final Map<String, String> ENV = Map.of(
            "OPENAI_API_KEY", KEY, "DEEPSEEK_API_KEY", KEY, "ANTHROPIC_API_KEY", KEY, "GEMINI_API_KEY", KEY);

    private final FixtureServer server = FixtureServer.start();
    private final Ledger ledger = Ledger.builder().warnings(w -> {}).build();

    @AfterEach
    void stop() {
        server.close();
    }

    private Providers providers(String model, String basePath) {
        return providers(Deployment.builder().model(model).baseUrl(server.baseUrl() + basePath).build());
    }

    private Providers providers(Deployment d) {
        return Providers.builder().config(ProvidersConfig.of(d)).env(ENV::get).ledger(ledger).build();
    }

    private UsageRecord onlyRecord() {
        List<UsageRecord> records = ledger.records();
        assertEquals(1, records.size(), "ledger records");
        return records.getFirst();
    }

    @Test
    void openAiChatSubtractsCachedAndReasoningTokensFromOpenAisTotals() {
        server.enqueue(Reply.fixture("openai/chat.json"));
        String answer = providers("openai/gpt-4o-mini", "/v1").chatModel("openai/gpt-4o-mini").chat("What is 17 + 25?");

        assertEquals("17 + 25 = 42", answer);
        FixtureServer.Recorded sent = server.requests().getFirst();
        assertEquals("/v1/chat/completions", sent.uri());
        assertEquals("Bearer " + KEY, sent.header("Authorization"));
        assertTrue(sent.body().replace(" ", "").contains("\"model\":\"gpt-4o-mini\""), sent.body());
        // prompt 1117 of which 1024 cached; completion 58 of which 12 reasoning
        UsageRecord r = onlyRecord();
        assertEquals(new Usage(93, 1024, 0, 46, 12), r.usage());
        assertEquals(93 * 1.5e-7 + 1024 * 7.5e-8 + 46 * 6e-7 + 12 * 6e-7, r.costUsd(), 1e-15);
    }

    @Test
    void openAiStreamsServerSentEventsUntilDone() {
        server.enqueue(Reply.fixture("openai/chat-stream.sse"));
        Streams.Outcome out = Streams.run(providers("openai/gpt-4o-mini", "/v1").streamingChatModel("openai/gpt-4o-mini"), "hi");

        assertNull(out.error());
        assertEquals(List.of("Hello", " there"), out.partials());
        assertEquals("Hello there", out.response().aiMessage().text());
        assertEquals(new Usage(20, 0, 0, 2, 0), onlyRecord().usage());
        assertTrue(server.requests().getFirst().body().contains("include_usage"), "asks for usage in the stream");
    }

    @Test
    void deepSeekCacheHitAndMissTokensAreReadFromTheRawResponse() {
        server.enqueue(Reply.fixture("deepseek/chat.json"));
        String answer = providers("deepseek/deepseek-chat", "").chatModel("deepseek/deepseek-chat").chat("6 * 7?");

        assertEquals("42", answer);
        assertEquals("/chat/completions", server.requests().getFirst().uri());
        UsageRecord r = onlyRecord();
        assertEquals(new Usage(176, 1024, 0, 50, 0), r.usage());
        assertEquals(176 * 2.8e-7 + 1024 * 2.8e-8 + 50 * 4.2e-7, r.costUsd(), 1e-15);
    }

    @Test
    void deepSeekStreamedUsageComesFromTheLastEventWithUsage() {
        server.enqueue(Reply.fixture("deepseek/chat-stream.sse"));
        Streams.Outcome out = Streams.run(providers("deepseek/deepseek-chat", "").streamingChatModel("deepseek/deepseek-chat"), "6 * 7?");

        assertEquals("42", out.response().aiMessage().text());
        assertEquals(new Usage(44, 256, 0, 1, 0), onlyRecord().usage());
    }

    @Test
    void anthropicCacheReadAndWriteAreOutsideInputTokens() {
        server.enqueue(Reply.fixture("anthropic/message.json"));
        ChatResponse response = providers("anthropic/claude-3-5-haiku-20241022", "/v1")
                .chatModel("anthropic/claude-3-5-haiku-20241022").chat(dev.langchain4j.data.message.UserMessage.from("Capital of France?"));

        assertEquals("Paris is the capital of France.", response.aiMessage().text());
        FixtureServer.Recorded sent = server.requests().getFirst();
        assertEquals("/v1/messages", sent.uri());
        assertEquals(KEY, sent.header("x-api-key"));
        assertEquals("2023-06-01", sent.header("anthropic-version"));
        UsageRecord r = onlyRecord();
        assertEquals(new Usage(21, 1800, 188, 393, 0), r.usage());
        assertEquals(21 * 8e-7 + 1800 * 8e-8 + 188 * 1e-6 + 393 * 4e-6, r.costUsd(), 1e-15);
    }

    @Test
    void anthropicStreamsNamedEvents() {
        server.enqueue(Reply.fixture("anthropic/message-stream.sse"));
        Streams.Outcome out = Streams.run(providers("anthropic/claude-3-5-haiku-20241022", "/v1")
                .streamingChatModel("anthropic/claude-3-5-haiku-20241022"), "hi");

        assertNull(out.error());
        assertEquals(List.of("Hello", "!"), out.partials());
        assertEquals(new Usage(25, 0, 0, 15, 0), onlyRecord().usage());
    }

    @Test
    void anthropicErrorEventMidStreamFailsTheStreamAndRecordsNothing() {
        server.enqueue(Reply.fixture("anthropic/message-stream-error.sse"));
        Streams.Outcome out = Streams.run(providers("anthropic/claude-3-5-haiku-20241022", "/v1")
                .streamingChatModel("anthropic/claude-3-5-haiku-20241022"), "hi");

        assertEquals(List.of("Hel"), out.partials());
        assertTrue(out.error().getMessage().contains("Overloaded"), out.error().toString());
        assertEquals(0, ledger.size());
    }

    @Test
    void geminiCountsCachedTokensInsideThePromptAndThoughtsApart() {
        server.enqueue(Reply.fixture("gemini/generate.json"));
        String answer = providers("gemini/gemini-2.0-flash", "/v1beta").chatModel("gemini/gemini-2.0-flash").chat("Sky colour?");

        assertEquals("The sky is blue.", answer);
        FixtureServer.Recorded sent = server.requests().getFirst();
        assertEquals("/v1beta/models/gemini-2.0-flash:generateContent", sent.uri());
        assertEquals(KEY, sent.header("x-goog-api-key"));
        UsageRecord r = onlyRecord();
        assertEquals(new Usage(476, 1024, 0, 5, 20), r.usage());
        assertEquals(476 * 1e-7 + 1024 * 2.5e-8 + 25 * 4e-7, r.costUsd(), 1e-15);
    }

    @Test
    void geminiStreamsServerSentEvents() {
        server.enqueue(Reply.fixture("gemini/generate-stream.sse"));
        Streams.Outcome out = Streams.run(providers("gemini/gemini-2.0-flash", "/v1beta").streamingChatModel("gemini/gemini-2.0-flash"), "Sky?");

        assertNull(out.error());
        assertEquals("/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", server.requests().getFirst().uri());
        assertEquals(List.of("The sky", " is blue."), out.partials());
        assertEquals(new Usage(8, 0, 0, 5, 0), onlyRecord().usage());
    }

    @Test
    void ollamaChatUsesTheNativeApiWithoutAKey() {
        server.enqueue(Reply.fixture("ollama/chat.json"));
        String answer = providers("ollama/llama3.2", "").chatModel("ollama/llama3.2").chat("Hello");

        assertEquals("Hello! How are you today?", answer);
        FixtureServer.Recorded sent = server.requests().getFirst();
        assertEquals("/api/chat", sent.uri());
        assertNull(sent.header("Authorization"));
        UsageRecord r = onlyRecord();
        assertEquals(new Usage(26, 0, 0, 298, 0), r.usage());
        assertEquals(0.0, r.costUsd());
    }

    @Test
    void ollamaStreamsNewlineDelimitedJson() {
        server.enqueue(Reply.fixture("ollama/chat-stream.ndjson"));
        Streams.Outcome out = Streams.run(providers("ollama/llama3.2", "").streamingChatModel("ollama/llama3.2"), "Sky?");

        assertNull(out.error());
        assertEquals(List.of("The", " sky", " is blue."), out.partials());
        assertEquals("The sky is blue.", out.response().aiMessage().text());
        assertEquals(new Usage(26, 0, 0, 3, 0), onlyRecord().usage());
    }

    @Test
    void ollamaErrorLineMidStreamFailsTheStream() {
        server.enqueue(Reply.fixture("ollama/chat-stream-error.ndjson"));
        Streams.Outcome out = Streams.run(providers("ollama/llama3.2", "").streamingChatModel("ollama/llama3.2"), "Sky?");

        assertEquals(List.of("The"), out.partials());
        assertTrue(out.error().getMessage().contains("unexpected EOF"), out.error().toString());
        assertEquals(0, ledger.size());
    }

    @Test
    void anOllamaThatIsNotListeningIsNamedByItsUrl() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort(); // closed again, so nothing listens there
        }
        Providers p = providers(Deployment.builder().model("ollama/llama3.2").baseUrl("http://127.0.0.1:" + port).maxRetries(0).build());

        RuntimeException blocking = assertThrows(RuntimeException.class, () -> p.chatModel("ollama/llama3.2").chat("hi"));
        Streams.Outcome streaming = Streams.run(p.streamingChatModel("ollama/llama3.2"), "hi");

        for (Throwable e : new Throwable[] {blocking, streaming.error()}) {
            assertTrue(e.getMessage().contains("cannot connect to http://127.0.0.1:" + port + "/api/chat"), e.getMessage());
            assertTrue(e.getMessage().contains("Ollama may not be running"), e.getMessage());
        }
    }

    @Test
    void openAiCompatibleSendsTheConfiguredModelNameToTheConfiguredServer() {
        server.enqueue(Reply.fixture("openai/chat.json"));
        Providers p = providers(Deployment.builder().model("openai-compatible/qwen").baseUrl(server.baseUrl() + "/v1")
                .modelName("Qwen/Qwen2.5-7B-Instruct").build());

        p.chatModel("openai-compatible/qwen").chat("hi");

        FixtureServer.Recorded sent = server.requests().getFirst();
        assertEquals("/v1/chat/completions", sent.uri());
        assertTrue(sent.body().replace(" ", "").contains("\"model\":\"Qwen/Qwen2.5-7B-Instruct\""), sent.body());
        assertNull(sent.header("Authorization"), "no apiKeyEnv, no key sent");
        assertNull(sent.header("Upgrade"), "a cleartext server is spoken to in HTTP/1.1, never asked to upgrade to h2c");
    }

    @Test
    void openAiCompatibleAsksForLogprobsWhenTheRequestDoesAndHandsThemBack() {
        server.enqueue(Reply.fixture("openai/chat-logprobs.json"));
        Providers p = providers(Deployment.builder().model("openai-compatible/qwen").baseUrl(server.baseUrl() + "/v1").build());

        ChatResponse response = p.chatModel("openai-compatible/qwen").chat(ChatRequest.builder()
                .messages(UserMessage.from("Grade it."))
                .parameters(OpenAiChatRequestParameters.builder().temperature(0.0).logprobs(true).topLogprobs(3).build())
                .build());

        String body = server.requests().getFirst().body().replace(" ", "");
        assertTrue(body.contains("\"logprobs\":true") && body.contains("\"top_logprobs\":3"), body);
        List<TokenLogprob> tokens = LogprobsMetadata.of(response);
        assertEquals(List.of("Score", ":", " 4"), tokens.stream().map(TokenLogprob::text).toList());
        TokenLogprob four = tokens.get(2);
        assertEquals(Math.log(0.6), four.logprob(), 1e-6);
        assertEquals(List.of(" 4", " 5", " 3"), four.top().stream().map(TokenLogprob::text).toList());
        assertEquals(Math.log(0.3), four.top().get(1).logprob(), 1e-6);
    }

    @Test
    void aResponseWithoutLogprobsHasNone() {
        server.enqueue(Reply.fixture("openai/chat.json"));
        ChatResponse response = providers("openai-compatible/qwen", "/v1").chatModel("openai-compatible/qwen")
                .chat(ChatRequest.builder().messages(UserMessage.from("hi")).build());
        assertEquals(List.of(), LogprobsMetadata.of(response));
    }
}
