package dev.consilium.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Bad input gets OpenAI's error object with the right status, naming the parameter; never a 500. */
class OpenAiServerErrorsTest {
    private static final String KEY = "sk-test";
    private static final String HELLO = "[{\"role\": \"user\", \"content\": \"hello\"}]";

    @TempDir
    static Path dir;
    static OpenAiServer server;
    static Http http;

    @BeforeAll
    static void start() {
        Path checkpoint = TestModels.randomCheckpoint(dir.resolve("model"), 96, 3);
        server = OpenAiServer.builder().generator(TestModels.generator(checkpoint, 4)).modelName("tiny").port(0)
                .apiKey(KEY).limits(new ServerLimits(2048, 64, 4, 3)).start();
        http = new Http(server, KEY);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Asserts the OpenAI error shape and returns its "error" object. */
    static JsonNode error(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(null));
        JsonNode e = Http.json(r).get("error");
        assertNotNull(e, r.body());
        for (String field : new String[] {"message", "type", "param", "code"}) assertTrue(e.has(field), field + " in " + r.body());
        assertFalse(e.get("message").asText().isBlank());
        return e;
    }

    static String chat(String fields) {
        return "{\"model\": \"tiny\", \"messages\": " + HELLO + (fields.isEmpty() ? "" : ", " + fields) + "}";
    }

    @Test
    void invalidJsonIs400() {
        JsonNode e = error(http.post("/v1/chat/completions", "{\"model\": \"tiny\", "), 400);
        assertEquals("invalid_request_error", e.get("type").asText());
        assertEquals("invalid_json", e.get("code").asText());
    }

    @Test
    void everyBadParameterIs400NamingIt() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"messages\": " + HELLO + "}", "model");
        cases.put("{\"model\": 5, \"messages\": " + HELLO + "}", "model");
        cases.put("{\"model\": \"tiny\"}", "messages");
        cases.put("{\"model\": \"tiny\", \"messages\": []}", "messages");
        cases.put("{\"model\": \"tiny\", \"messages\": \"hello\"}", "messages");
        cases.put("{\"model\": \"tiny\", \"messages\": [5]}", "messages[0]");
        cases.put("{\"model\": \"tiny\", \"messages\": [{\"content\": \"x\"}]}", "messages[0].role");
        cases.put("{\"model\": \"tiny\", \"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}", "messages[0].role");
        cases.put("{\"model\": \"tiny\", \"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}", "messages[0].role");
        cases.put("{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": 7}]}", "messages[0].content");
        cases.put("{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\"}]}", "messages[0].content");
        cases.put("{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}",
                "messages[0].content[0]");
        cases.put(chat("\"temperature\": \"hot\""), "temperature");
        cases.put(chat("\"temperature\": -0.5"), "temperature");
        cases.put(chat("\"temperature\": 3"), "temperature");
        cases.put(chat("\"top_p\": 0"), "top_p");
        cases.put(chat("\"top_p\": 1.5"), "top_p");
        cases.put(chat("\"max_tokens\": 0"), "max_tokens");
        cases.put(chat("\"max_tokens\": 2.5"), "max_tokens");
        cases.put(chat("\"max_tokens\": 65"), "max_tokens");
        cases.put(chat("\"max_completion_tokens\": -1"), "max_completion_tokens");
        cases.put(chat("\"n\": 0"), "n");
        cases.put(chat("\"n\": 5"), "n");
        cases.put(chat("\"stop\": 5"), "stop");
        cases.put(chat("\"stop\": [\"a\", 1]"), "stop");
        cases.put(chat("\"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]"), "stop");
        cases.put(chat("\"stop\": \"\""), "stop");
        cases.put(chat("\"seed\": \"abc\""), "seed");
        cases.put(chat("\"seed\": 1.5"), "seed");
        cases.put(chat("\"logprobs\": \"yes\""), "logprobs");
        cases.put(chat("\"logprobs\": true, \"top_logprobs\": 21"), "top_logprobs");
        cases.put(chat("\"top_logprobs\": 2"), "top_logprobs");
        cases.put(chat("\"stream\": \"yes\""), "stream");
        cases.put(chat("\"stream_options\": {\"include_usage\": true}"), "stream_options");
        cases.put(chat("\"stream\": true, \"stream_options\": {\"include_usage\": 1}"), "stream_options.include_usage");
        cases.put(chat("\"response_format\": \"json\""), "response_format");
        cases.put(chat("\"response_format\": {\"type\": \"xml\"}"), "response_format.type");
        cases.put(chat("\"response_format\": {\"type\": \"json_schema\"}"), "response_format.json_schema.schema");
        cases.put(chat("\"tools\": [{\"type\": \"function\"}]"), "tools");
        cases.put(chat("\"logit_bias\": {\"5\": 10}"), "logit_bias");
        cases.put(chat("\"presence_penalty\": 0.5"), "presence_penalty");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = http.post("/v1/chat/completions", c.getKey());
            assertEquals(400, r.statusCode(), c.getKey() + " -> " + r.body());
            assertEquals(c.getValue(), error(r, 400).get("param").asText(), c.getKey());
        }
    }

    @Test
    void badCompletionsParametersAre400NamingThem() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"model\": \"tiny\"}", "prompt");
        cases.put("{\"model\": \"tiny\", \"prompt\": 5}", "prompt");
        cases.put("{\"model\": \"tiny\", \"prompt\": []}", "prompt");
        cases.put("{\"model\": \"tiny\", \"prompt\": [1, -2]}", "prompt");
        cases.put("{\"model\": \"tiny\", \"prompt\": [1, 5000]}", "prompt");
        cases.put("{\"model\": \"tiny\", \"prompt\": [\"a\", \"b\"]}", "prompt");
        cases.put("{\"model\": \"tiny\", \"prompt\": \"\"}", "prompt");
        cases.put("{\"model\": \"tiny\", \"prompt\": \"hi\", \"max_tokens\": 0}", "max_tokens");
        cases.put("{\"model\": \"tiny\", \"prompt\": \"hi\", \"logprobs\": 21}", "logprobs");
        cases.put("{\"model\": \"tiny\", \"prompt\": \"hi\", \"echo\": true, \"stream\": true}", "echo");
        cases.put("{\"model\": \"tiny\", \"prompt\": \"hi\", \"suffix\": \"x\"}", "suffix");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = http.post("/v1/completions", c.getKey());
            assertEquals(c.getValue(), error(r, 400).get("param").asText(), c.getKey());
        }
    }

    @Test
    void noBadBodyIsEverA500() {
        String[] bodies = {"", "null", "[]", "\"x\"", "42", "{}", "{\"model\": null}", "{\"model\": \"tiny\", \"messages\": null}",
                "{\"model\": \"tiny\", \"messages\": [null]}", "{\"model\": \"tiny\", \"messages\": [{\"role\": null}]}",
                "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": [null]}]}",
                "{\"model\": \"tiny\", \"prompt\": [[1, \"x\"]]}", "{\"model\": \"tiny\", \"prompt\": [1.5]}",
                "{\"model\": \"tiny\", \"prompt\": {\"a\": 1}}", chat("\"max_tokens\": 1e30"), chat("\"seed\": 1e30"),
                chat("\"n\": 99999999999"), chat("\"stream_options\": 5, \"stream\": true"),
                chat("\"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"schema\": 5}}"),
                "{\"model\": \"tiny\", \"messages\": " + HELLO + "} trailing", "\uFEFF{}", "{\"a\": \"\\uD800\"}"};
        for (String path : new String[] {"/v1/chat/completions", "/v1/completions"}) {
            for (String body : bodies) {
                int status = http.post(path, body).statusCode();
                assertTrue(status >= 400 && status < 500, path + " " + body + " -> " + status);
            }
        }
    }

    @Test
    void jsonPastTheParsersLimitsIs400() {
        String deep = "[".repeat(1001) + "]".repeat(1001);
        String longNumber = "{\"model\": \"tiny\", \"seed\": " + "9".repeat(1001) + "}";
        for (String path : new String[] {"/v1/chat/completions", "/v1/completions"}) {
            for (String body : new String[] {deep, longNumber}) {
                JsonNode e = error(http.post(path, body), 400);
                assertEquals("invalid_json", e.get("code").asText(), body);
                assertTrue(e.get("message").asText().contains("maximum allowed (1000)"), e.toString());
            }
        }
    }

    @Test
    void aMissingOrWrongKeyIs401AndHealthNeedsNone() {
        JsonNode missing = error(new Http(server, null).post("/v1/chat/completions", chat("")), 401);
        assertEquals("invalid_api_key", missing.get("code").asText());
        error(new Http(server, "sk-wrong").post("/v1/chat/completions", chat("")), 401);
        error(new Http(server, "sk-wrong").get("/v1/models"), 401);
        assertEquals(200, new Http(server, null).get("/health").statusCode());
    }

    @Test
    void anUnknownModelOrPathIs404() {
        JsonNode model = error(http.post("/v1/chat/completions", chat("").replace("\"tiny\"", "\"gpt-4o\"")), 404);
        assertEquals("model", model.get("param").asText());
        assertEquals("model_not_found", model.get("code").asText());
        error(http.get("/v1/models/gpt-4o"), 404);
        error(http.post("/v1/embeddings", "{}"), 404);
        error(http.get("/"), 404);
        error(http.get("/v1/chat/completions"), 405);
    }

    @Test
    void modelsListsTheServedModel() {
        JsonNode list = Http.json(http.get("/v1/models"));
        assertEquals("list", list.get("object").asText());
        assertEquals("tiny", list.at("/data/0/id").asText());
        assertEquals("model", list.at("/data/0/object").asText());
        assertEquals("tiny", Http.json(http.get("/v1/models/tiny")).get("id").asText());
    }

    @Test
    void anOversizedBodyIs413() {
        String big = chat("\"user\": \"" + "x".repeat(4000) + "\"");
        JsonNode e = error(http.post("/v1/chat/completions", big), 413);
        assertEquals("request_too_large", e.get("code").asText());
        // without a Content-Length the limit holds all the same
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big.getBytes())))
                .build();
        error(Http.send(chunked), 413);
    }

    @Test
    void promptPlusMaxTokensOverTheContextIs400() {
        String longUser = "[{\"role\": \"user\", \"content\": \"" + "the model and the expert ".repeat(12) + "\"}]";
        JsonNode e = error(http.post("/v1/chat/completions",
                "{\"model\": \"tiny\", \"max_tokens\": 60, \"messages\": " + longUser + "}"), 400);
        assertEquals("context_length_exceeded", e.get("code").asText());
        assertEquals("messages", e.get("param").asText());
        JsonNode c = error(http.post("/v1/completions", "{\"model\": \"tiny\", \"prompt\": " + range(90) + ", \"max_tokens\": 10}"), 400);
        assertEquals("context_length_exceeded", c.get("code").asText());
        assertEquals("prompt", c.get("param").asText());
    }

    /** A prompt of token ids 10, 11, ..., as JSON. */
    static String range(int n) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < n; i++) s.append(i == 0 ? "" : ",").append(10 + i % 200);
        return s.append("]").toString();
    }
}
