package dev.consilium.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Requests broken below JSON, in the HTTP framing itself, still get OpenAI's error object: an OpenAI client shows
 * its message, where an HTML page or a reset would leave it with nothing to say.
 */
class OpenAiServerMalformedHttpTest {
    private static final String BODY = "{\"model\": \"tiny\", \"prompt\": \"hi\"}";

    @TempDir
    static Path dir;
    static OpenAiServer server;

    @BeforeAll
    static void start() {
        Path checkpoint = TestModels.randomCheckpoint(dir.resolve("model"), 96, 3);
        server = OpenAiServer.builder().generator(TestModels.generator(checkpoint, 2)).modelName("tiny").port(0).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String post(String headers, String body) {
        return "POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" + headers
                + "\r\n" + body;
    }

    /** Asserts OpenAI's error shape on a raw response and returns its "error" object. */
    static JsonNode error(RawHttp.Response r, int status) throws IOException {
        assertEquals(status, r.status(), r.toString());
        assertEquals("application/json", r.headers().get("content-type"), r.toString());
        JsonNode e = Http.JSON.readTree(r.body()).get("error");
        assertNotNull(e, r.toString());
        for (String field : new String[] {"message", "type", "param", "code"}) assertTrue(e.has(field), field + " in " + r);
        assertEquals("invalid_request_error", e.get("type").asText(), r.toString());
        assertFalse(e.get("message").asText().isBlank(), r.toString());
        return e;
    }

    @Test
    void aContentLengthThatIsNotALengthIs400() throws IOException {
        for (String length : new String[] {"abc", "-1"}) {
            RawHttp.Response r = RawHttp.exchange(server.port(), post("Content-Length: " + length + "\r\n", BODY));
            JsonNode e = error(r, 400);
            assertTrue(e.get("message").asText().contains("Content-Length"), r.toString());
        }
    }

    @Test
    void aHeaderLineOfAMebibyteIs431() throws IOException {
        String request = post("X-Padding: " + "a".repeat(1 << 20) + "\r\nContent-Length: " + BODY.length() + "\r\n", BODY);
        error(RawHttp.exchange(server.port(), request), 431);
    }

    @Test
    void twentyThousandHeadersAre431() throws IOException {
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < 20_000; i++) headers.append("X-H").append(i).append(": v\r\n");
        String request = post(headers + "Content-Length: " + BODY.length() + "\r\n", BODY);
        error(RawHttp.exchange(server.port(), request), 431);
    }

    @Test
    void theServerStillAnswersAfterwards() {
        RawHttp.exchange(server.port(), post("Content-Length: abc\r\n", BODY));
        RawHttp.Response r = RawHttp.exchange(server.port(), "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertEquals(200, r.status(), r.toString());
    }
}
