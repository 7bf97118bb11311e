package dev.consilium.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * JSON mode: outputs are checked and generated again with the next seed while they fail. The model is scripted
 * (see {@link TestModels#scriptedCheckpoint}): it answers {@code {"ok": true}} or {@code café} with equal odds.
 */
class ResponseFormatTest {
    private static final String JSON = "{\"ok\": true}";

    @TempDir
    static Path dir;
    static OpenAiServer server;
    static Http http;

    @BeforeAll
    static void start() {
        Path checkpoint = TestModels.scriptedCheckpoint(dir.resolve("model"), JSON, "café");
        server = OpenAiServer.builder().generator(TestModels.generator(checkpoint, 4)).modelName("scripted").port(0).start();
        http = new Http(server, null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode chat(long seed, String format) {
        var r = http.post("/v1/chat/completions", """
                {"model": "scripted", "messages": [{"role": "user", "content": "answer in JSON"}], "temperature": 1,
                 "seed": %d %s}""".formatted(seed, format.isEmpty() ? "" : ", \"response_format\": " + format));
        assertEquals(200, r.statusCode(), r.body());
        return Http.json(r).at("/choices/0");
    }

    /** A seed whose first draw is the non-JSON answer and whose next seed's is the JSON one. */
    static long seedThatFailsOnce() {
        for (long seed = 0; seed < 64; seed++) {
            if (chat(seed, "").at("/message/content").asText().equals("café")
                    && chat(seed + 1, "").at("/message/content").asText().equals(JSON)) return seed;
        }
        throw new AssertionError("no seed in 0..63 draws café then the JSON answer");
    }

    @Test
    void checkJudgesJsonObjectsAndSchemas() throws Exception {
        var object = new ResponseFormat(ResponseFormat.Type.JSON_OBJECT, null);
        assertNull(object.check(" {\"a\": 1} "));
        assertNotNull(object.check("[1]"));
        assertNotNull(object.check("{\"a\": "));
        assertNotNull(object.check("{} trailing"));
        assertNotNull(object.check(""));
        JsonNode schema = Http.JSON.readTree("""
                {"type": "object", "required": ["name", "tags"],
                 "properties": {"name": {"type": "string"}, "age": {"type": "integer"},
                                "tags": {"type": "array", "items": {"enum": ["a", "b"]}}}}""");
        var schemaFormat = new ResponseFormat(ResponseFormat.Type.JSON_SCHEMA, schema);
        assertNull(schemaFormat.check("{\"name\": \"x\", \"tags\": [\"a\"], \"age\": 3}"));
        assertEquals("$ lacks the required key 'tags'", schemaFormat.check("{\"name\": \"x\"}"));
        assertEquals("$.name should be of type string, is number", schemaFormat.check("{\"name\": 1, \"tags\": []}"));
        assertEquals("$.age should be of type integer, is number", schemaFormat.check("{\"name\": \"x\", \"tags\": [], \"age\": 1.5}"));
        assertEquals("$.tags[1] should be one of [\"a\",\"b\"]", schemaFormat.check("{\"name\": \"x\", \"tags\": [\"a\", \"c\"]}"));
    }

    @Test
    void anOutputThatIsNotJsonIsGeneratedAgainWithTheNextSeed() {
        long seed = seedThatFailsOnce();
        JsonNode choice = chat(seed, "{\"type\": \"json_object\"}");
        assertEquals(JSON, choice.at("/message/content").asText());
        assertFalse(choice.has("warning"));
    }

    @Test
    void whenNoAttemptSatisfiesTheSchemaTheLastIsReturnedWithAWarning() {
        JsonNode choice = chat(0, """
                {"type": "json_schema", "json_schema": {"name": "a", "schema": {"type": "object", "required": ["answer"]}}}""");
        assertEquals("stop", choice.get("finish_reason").asText());
        String warning = choice.get("warning").asText();
        assertTrue(warning.startsWith("response_format: no output satisfied the format in 3 attempts"), warning);
    }

    @Test
    void aGreedyRequestGetsOneAttempt() {
        var r = http.post("/v1/chat/completions", """
                {"model": "scripted", "messages": [{"role": "user", "content": "x"}], "temperature": 0,
                 "response_format": {"type": "json_schema", "json_schema": {"schema": {"required": ["answer"]}}}}""");
        assertTrue(Http.json(r).at("/choices/0/warning").asText().contains("in 1 attempt;"), r.body());
    }

    @Test
    void langChain4jJsonModeGetsJson() {
        long seed = seedThatFailsOnce();
        ChatResponse r = OpenAiChatModel.builder().baseUrl(server.baseUrl() + "/v1").apiKey("none").modelName("scripted")
                .temperature(1.0).seed((int) seed).build()
                .chat(ChatRequest.builder().messages(List.of(UserMessage.from("answer in JSON")))
                        .responseFormat(dev.langchain4j.model.chat.request.ResponseFormat.JSON).build());
        assertEquals(JSON, r.aiMessage().text());
    }

    @Test
    void aStreamedJsonAnswerArrivesCheckedInOneChunk() {
        long seed = seedThatFailsOnce();
        var r = http.post("/v1/chat/completions", """
                {"model": "scripted", "messages": [{"role": "user", "content": "x"}], "temperature": 1, "seed": %d,
                 "stream": true, "response_format": {"type": "json_object"}}""".formatted(seed));
        List<JsonNode> events = Http.events(r.body());
        // role, the whole content, the finish, [DONE]
        assertEquals(4, events.size(), r.body());
        assertEquals(JSON, events.get(1).at("/choices/0/delta/content").asText());
        assertEquals("stop", events.get(2).at("/choices/0/finish_reason").asText());
    }
}
