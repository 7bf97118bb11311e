package dev.consilium.rewards.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A loopback {@code /v1/chat/completions} server in the OpenAI wire format. {@code reply} maps each request's
 * body to the assistant's text; when the request asks for {@code logprobs}, the answer carries them, one token
 * per whitespace-led word, each score-like token with the alternatives {@code alternatives} gives. Records the
 * request bodies.
 */
public final class StubOpenAiServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The alternatives at one token: text to logprob, the chosen token first. */
    public record Alternatives(List<String> tokens, List<Double> logprobs) {}

    private final HttpServer server;
    public final List<JsonNode> requests = new CopyOnWriteArrayList<>();

    private StubOpenAiServer(Function<JsonNode, String> reply, boolean givesLogprobs, Function<String, Alternatives> alternatives) {
        this(reply, givesLogprobs, alternatives, false);
    }

    private StubOpenAiServer(Function<JsonNode, String> reply, boolean givesLogprobs, Function<String, Alternatives> alternatives,
                             boolean refusesLogprobs) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/chat/completions", exchange -> {
            JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            requests.add(request);
            if (refusesLogprobs && request.has("logprobs")) {
                byte[] error = ("{\"error\": {\"message\": \"logprobs is not supported with this model.\", \"type\": "
                        + "\"invalid_request_error\", \"param\": \"logprobs\", \"code\": \"unsupported_parameter\"}}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(400, error.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(error);
                }
                return;
            }
            String text = reply.apply(request);
            ObjectNode body = JSON.createObjectNode().put("id", "chatcmpl-stub-" + requests.size()).put("object", "chat.completion")
                    .put("created", 1_700_000_000L).put("model", request.path("model").asText());
            ObjectNode choice = body.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", text);
            if (givesLogprobs && request.path("logprobs").asBoolean(false)) {
                ArrayNode content = choice.putObject("logprobs").putArray("content");
                for (String token : tokens(text)) {
                    Alternatives alt = alternatives.apply(token);
                    ObjectNode t = content.addObject().put("token", token).put("logprob", alt == null ? -0.01 : alt.logprobs().getFirst());
                    ArrayNode top = t.putArray("top_logprobs");
                    if (alt == null) top.addObject().put("token", token).put("logprob", -0.01);
                    else for (int i = 0; i < alt.tokens().size(); i++) top.addObject().put("token", alt.tokens().get(i)).put("logprob", alt.logprobs().get(i));
                }
            } else {
                choice.putNull("logprobs");
            }
            body.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 10).put("total_tokens", 110);
            byte[] bytes = JSON.writeValueAsBytes(body);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    /** A server that gives logprobs when asked; {@code alternatives} returns null for a token with none of interest. */
    public static StubOpenAiServer withLogprobs(Function<JsonNode, String> reply, Function<String, Alternatives> alternatives) {
        return new StubOpenAiServer(reply, true, alternatives);
    }

    /** A server that never gives logprobs, asked or not (as some OpenAI-compatible servers do). */
    public static StubOpenAiServer withoutLogprobs(Function<JsonNode, String> reply) {
        return new StubOpenAiServer(reply, false, t -> null);
    }

    /** A server that answers 400 to any request naming {@code logprobs}, as OpenAI's reasoning models do. */
    public static StubOpenAiServer refusingLogprobs(Function<JsonNode, String> reply) {
        return new StubOpenAiServer(reply, false, t -> null, true);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The user message of a recorded request. */
    public static String userText(JsonNode request) {
        JsonNode messages = request.path("messages");
        return messages.get(messages.size() - 1).path("content").asText();
    }

    /** {@code text} cut before each space and newline, so the tokens spell it exactly. */
    static List<String> tokens(String text) {
        List<String> out = new java.util.ArrayList<>();
        int start = 0;
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\n') {
                out.add(text.substring(start, i));
                start = i;
            }
        }
        if (start < text.length()) out.add(text.substring(start));
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
