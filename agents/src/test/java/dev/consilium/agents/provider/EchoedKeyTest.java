package dev.consilium.agents.provider;

import com.sun.net.httpserver.HttpServer;
import dev.consilium.agents.provider.testing.Streams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An upstream that answers 401 with the key it was sent, as OpenAI does ("Incorrect API key provided: ..."): the
 * key must not reach the exception, its causes, or anything built from them; the variable's name stands in.
 */
class EchoedKeyTest {

    private static final String KEY = "sk-ECHOED-5e4d3c2b1a09f8e7d6c5";

    private final HttpServer server = echoingServer();

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static HttpServer echoingServer() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            s.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                String sent = exchange.getRequestHeaders().getFirst("Authorization").substring("Bearer ".length());
                byte[] body = ("{\"error\":{\"message\":\"Incorrect API key provided: " + sent + ". You can find your "
                        + "API key at https://platform.openai.com/account/api-keys.\",\"type\":\"invalid_request_error\","
                        + "\"code\":\"invalid_api_key\"}}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(401, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            s.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Providers providers() {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
        return Providers.builder()
                .config(ProvidersConfig.of(Deployment.builder().name("team").model("openai-compatible/team").baseUrl(url)
                        .apiKeyEnv("TEAM_KEY").build()))
                .env(Map.of("TEAM_KEY", KEY)::get)
                .build();
    }

    private static String everything(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w)); // causes and suppressed exceptions, with their messages
        return w.toString();
    }

    @Test
    void aBlockingCallsErrorNamesTheVariableNotTheKey() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> providers().chatModel("team").chat("hi"));

        String text = everything(e);
        assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains("Incorrect API key provided: [redacted $TEAM_KEY]"),
                e.getMessage());
        assertFalse(text.contains(KEY), text);
    }

    @Test
    void aStreamsErrorNamesTheVariableNotTheKey() {
        Streams.Outcome out = Streams.run(providers().streamingChatModel("team"), "hi");

        String text = everything(out.error());
        assertTrue(out.error().getMessage().contains("[redacted $TEAM_KEY]"), out.error().getMessage());
        assertFalse(text.contains(KEY), text);
    }

    @Test
    void redactionCoversEveryRegisteredKeyButLeavesPlaceholdersAlone() {
        Secrets.register("SOME_KEY", "sk-another-1234567890");
        Secrets.register("LOCAL_KEY", "EMPTY");

        assertTrue(Secrets.redact("a sk-another-1234567890 b").equals("a [redacted $SOME_KEY] b"));
        assertTrue(Secrets.redact("an EMPTY answer").equals("an EMPTY answer"), "a placeholder hides nothing");
    }
}
