package dev.consilium.cluster.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.consilium.agents.provider.Deployment;
import dev.consilium.agents.provider.ProvidersConfig;
import dev.consilium.rewards.judge.Scale;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible judge on 127.0.0.1 for tests and {@code bench cluster}: it stands for a remote API judge
 * whose cost is latency, not CPU. Each chat completion waits {@code latency}, then scores by a hash of the
 * prompt (the same prompt always gets the same score, wherever it was sent from), as text ending in
 * {@code Score: N}, or as JSON when the request asks for a schema. A request without {@code Bearer <key>}
 * gets 401, so a verdict proves the key reached whoever sent it.
 */
public final class StubJudgeServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String key;
    private final Duration latency;
    private final int min, max;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();

    private StubJudgeServer(String key, Duration latency, int min, int max) throws IOException {
        this.key = key;
        this.latency = latency;
        this.min = min;
        this.max = max;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** Scores on [min, max] after {@code latency}, for requests carrying {@code key}. */
    public static StubJudgeServer start(String key, Duration latency, int min, int max) {
        try {
            return new StubJudgeServer(key, latency, min, max);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a stub judge on 127.0.0.1", e);
        }
    }

    /** The base URL a deployment names, e.g. {@code http://127.0.0.1:41234/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /**
     * A judge of this server as a deployment named {@code stub-judge} would reach it, its key read from
     * {@code keyVariable}, on {@code scale} (whose range should be this server's).
     */
    public JudgeSpec spec(String keyVariable, String rubric, Scale scale, long nonceSeed) {
        ProvidersConfig providers = ProvidersConfig.of(Deployment.builder().name("stub-judge").model("openai/stub-judge")
                .baseUrl(baseUrl()).apiKeyEnv(keyVariable).maxRetries(0).build());
        return JudgeSpec.of(providers, "stub-judge", rubric, scale, nonceSeed);
    }

    public int requests() {
        return requests.get();
    }

    /** Requests turned away for a missing or wrong key. */
    public int refused() {
        return refused.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            requests.incrementAndGet();
            JsonNode body = JSON.readTree(ex.getRequestBody());
            if (!("Bearer " + key).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                refused.incrementAndGet();
                send(ex, 401, "{\"error\":{\"message\":\"invalid api key\",\"type\":\"invalid_request_error\"}}");
                return;
            }
            // the latency of a remote judge is what this server stands for
            Thread.sleep(latency);
            StringBuilder prompt = new StringBuilder();
            for (JsonNode m : body.path("messages")) prompt.append(m.path("content").asText()).append('\n');
            int score = min + Math.floorMod(prompt.toString().hashCode(), max - min + 1);
            boolean schema = body.has("response_format") && !"text".equals(body.path("response_format").path("type").asText());
            String content = schema ? "{\"rationale\": \"stub\", \"score\": " + score + "}" : "Checked the answer.\nScore: " + score;
            ObjectNode reply = JSON.createObjectNode().put("id", "stub-" + requests.get()).put("object", "chat.completion")
                    .put("created", 0).put("model", body.path("model").asText("stub"));
            ObjectNode choice = reply.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", content);
            reply.putObject("usage").put("prompt_tokens", prompt.length() / 4).put("completion_tokens", 8)
                    .put("total_tokens", prompt.length() / 4 + 8);
            send(ex, 200, reply.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
