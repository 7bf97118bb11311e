package dev.consilium.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.agents.provider.Deployment;
import dev.consilium.agents.provider.Providers;
import dev.consilium.agents.provider.ProvidersConfig;
import dev.consilium.agents.provider.StreamingCall;
import dev.consilium.moe.generate.Completion;
import dev.consilium.moe.generate.Generator;
import dev.consilium.moe.generate.SamplingParams;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.moe.tokenizer.TemplateMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.LogProb;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatResponseMetadata;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** OpenAI clients (LangChain4j, Consilium's provider layer) against a running server. */
class OpenAiServerClientsTest {
    private static final String KEY = "test-key";
    private static final String PROMPT = "the expert";

    @TempDir
    static Path dir;
    static OpenAiServer server;
    /** The same checkpoint outside the server: what `consilium generate` runs. */
    static Generator direct;

    @BeforeAll
    static void start() {
        Path checkpoint = TestModels.randomCheckpoint(dir.resolve("model"), 96, 7);
        server = OpenAiServer.builder().generator(TestModels.generator(checkpoint, 8)).modelName("tiny")
                .port(0).apiKey(KEY).start();
        direct = TestModels.generator(checkpoint, 1);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static OpenAiChatModel.OpenAiChatModelBuilder chatModel() {
        return OpenAiChatModel.builder().baseUrl(server.baseUrl() + "/v1").apiKey(KEY).modelName("tiny").maxRetries(0);
    }

    /** Greedy chat output of the direct generator, as the server renders the prompt. */
    static Completion greedy(String user, int maxTokens) {
        ChatTemplate template = ChatTemplate.deepSeekV3(direct.tokenizer());
        return direct.generate(template.prompt(List.of(TemplateMessage.user(user))), SamplingParams.builder()
                .temperature(0).maxNewTokens(maxTokens).stopTokenIds(Set.of(template.endOfTurn())).build());
    }

    @Test
    void greedyChatThroughTheServerEqualsTheGeneratorRunDirectly() {
        ChatResponse r = chatModel().temperature(0.0).maxTokens(12).build()
                .chat(ChatRequest.builder().messages(UserMessage.from(PROMPT)).build());
        Completion expected = greedy(PROMPT, 12);
        assertFalse(expected.text().isEmpty(), "the model should say something for the comparison to mean anything");
        assertEquals(expected.text(), r.aiMessage().text());
    }

    @Test
    void usageReportsPromptCompletionAndCachedTokens() {
        ChatResponse r = chatModel().temperature(0.0).maxTokens(12).build()
                .chat(ChatRequest.builder().messages(UserMessage.from(PROMPT)).build());
        Completion expected = greedy(PROMPT, 12);
        OpenAiTokenUsage usage = (OpenAiTokenUsage) r.tokenUsage();
        assertEquals(expected.promptTokens().length, usage.inputTokenCount());
        assertEquals(expected.tokens().length, usage.outputTokenCount());
        assertNotNull(usage.inputTokensDetails(), "prompt_tokens_details");
        assertTrue(usage.inputTokensDetails().cachedTokens() >= 0);
    }

    @Test
    void logprobsComeInOpenAisChatShape() {
        ChatResponse r = chatModel().temperature(0.0).maxTokens(12).logprobs(true).topLogprobs(3).build()
                .chat(ChatRequest.builder().messages(UserMessage.from(PROMPT)).build());
        List<LogProb> content = ((OpenAiChatResponseMetadata) r.metadata()).logProbs();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (LogProb lp : content) {
            assertTrue(lp.logprob() <= 0, lp.toString());
            assertEquals(3, lp.topLogprobs().size());
            // greedy: the chosen token is the most likely one
            assertEquals(lp.topLogprobs().getFirst().token(), lp.token());
            for (int b : lp.bytes()) bytes.write(b);
        }
        assertEquals(r.aiMessage().text(), bytes.toString(java.nio.charset.StandardCharsets.UTF_8),
                "the tokens' bytes spell the content");
    }

    @Test
    void theSameSeedSamplesTheSameTextAndAnotherSeedDoesNot() {
        ChatModel seeded = chatModel().temperature(1.0).maxTokens(16).seed(42).build();
        String a = seeded.chat(PROMPT), b = seeded.chat(PROMPT);
        String c = chatModel().temperature(1.0).maxTokens(16).seed(43).build().chat(PROMPT);
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void streamingDeliversTheSameTextInPiecesWithUsage() throws Exception {
        StreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl() + "/v1").apiKey(KEY)
                .modelName("tiny").temperature(0.0).maxTokens(12).build();
        StringBuilder pieces = new StringBuilder();
        ChatResponse r = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> StreamingCall.join(model, ChatRequest.builder().messages(UserMessage.from(PROMPT)).build(), pieces::append));
        Completion expected = greedy(PROMPT, 12);
        assertEquals(expected.text(), pieces.toString());
        assertEquals(expected.text(), r.aiMessage().text());
        assertEquals(expected.tokens().length, r.tokenUsage().outputTokenCount(), "stream_options.include_usage");
    }

    @Test
    void theProviderLayersOpenAiCompatiblePathTalksToTheServer() {
        Providers providers = Providers.builder()
                .config(ProvidersConfig.of(Deployment.builder().name("local").model("openai-compatible/tiny")
                        .baseUrl(server.baseUrl() + "/v1").apiKeyEnv("CONSILIUM_TEST_KEY").build()))
                .env(Map.of("CONSILIUM_TEST_KEY", KEY)::get)
                .build();
        ChatResponse r = providers.chatModel("local").chat(ChatRequest.builder().messages(UserMessage.from(PROMPT))
                .temperature(0.0).maxOutputTokens(12).build());
        assertEquals(greedy(PROMPT, 12).text(), r.aiMessage().text());
    }

    @Test
    void nChoicesAreSeededOneAfterAnother() {
        String body = """
                {"model": "tiny", "messages": [{"role": "user", "content": "the expert"}], "n": 3, "seed": 10,
                 "temperature": 1.0, "max_tokens": 10}""";
        JsonNode choices = Http.json(new Http(server, KEY).post("/v1/chat/completions", body)).get("choices");
        assertEquals(3, choices.size());
        for (int i = 0; i < 3; i++) {
            String single = """
                    {"model": "tiny", "messages": [{"role": "user", "content": "the expert"}], "seed": %d,
                     "temperature": 1.0, "max_tokens": 10}""".formatted(10 + i);
            JsonNode alone = Http.json(new Http(server, KEY).post("/v1/chat/completions", single));
            assertEquals(i, choices.get(i).get("index").asInt());
            assertEquals(alone.at("/choices/0/message/content").asText(), choices.get(i).at("/message/content").asText(),
                    "choice " + i + " is the request with seed 10 + " + i);
        }
    }
}
