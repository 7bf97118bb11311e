package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.consilium.agents.provider.Providers;
import dev.consilium.agents.provider.ProvidersConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.consilium.runtime.loop.LoopFixture.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo experiment judged by an API whose every answer is a 401 that echoes the key it was sent, as OpenAI's
 * does: each judgment abstains with the error as its reason, and no record of the run holds the key.
 */
class EchoedKeyRunTest {

    private static final String KEY = "sk-RUN-ECHO-a1b2c3d4e5f60718";

    @Test
    void aKeyTheJudgesServerEchoesReachesNoRecordOfTheRun(@TempDir Path dir) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String sent = exchange.getRequestHeaders().getFirst("Authorization").substring("Bearer ".length());
            byte[] body = ("{\"error\":{\"message\":\"Incorrect API key provided: " + sent + "\",\"type\":\"invalid_request_error\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(401, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            LoopFixture fixture = LoopFixture.create(dir);
            Path providersFile = Files.writeString(dir.resolve("providers.json"), """
                    {"deployments": [{"model": "openai-compatible/judge", "baseUrl": "http://127.0.0.1:%d/v1", "apiKeyEnv": "JUDGE_KEY"}]}
                    """.formatted(server.getAddress().getPort()));
            Path out = dir.resolve("run");
            ObjectNode e = fixture.experiment(out);
            e.putArray("judges").addObject().put("model", "openai-compatible/judge").put("prompt", "arithmetic-judge").put("weight", 1.0);
            e.put("providers", providersFile.toString());
            e.put("allow_abstaining_judges", true);   // every verdict abstains here; the run must go on to journal them
            Providers providers = Providers.builder().config(ProvidersConfig.load(providersFile))
                    .env(Map.of("JUDGE_KEY", KEY)::get).build();

            Experiment parsed = LoopFixture.parse(e);
            ExperimentFile.builder(parsed, "experiment", PluginRegistry.load(getClass().getClassLoader()), providers)
                    .log(LoopFixture.quiet()).description(parsed.toJson()).build().run();

            List<JsonNode> verdicts = lines(out.resolve("verdicts.jsonl"));
            assertFalse(verdicts.isEmpty());
            for (JsonNode v : verdicts) {
                JsonNode judge = v.get("judges").get(0);
                assertEquals("abstain", judge.get("type").asText(), v.toString());
                assertTrue(judge.get("detail").asText().contains("Incorrect API key provided: [redacted $JUDGE_KEY]"), v.toString());
            }
            try (var files = Files.walk(out)) {
                for (Path f : files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".jsonl") || f.toString().endsWith(".html")).toList()) {
                    assertFalse(Files.readString(f).contains(KEY), f + " holds the key");
                }
            }
        } finally {
            server.stop(0);
        }
    }
}
