package dev.consilium.runtime.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.consilium.moe.generate.GenerationService;
import dev.consilium.moe.generate.Generator;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.moe.tokenizer.TokenizerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The built-in model over OpenAI's wire format: {@code /v1/chat/completions} (with SSE streaming),
 * {@code /v1/completions}, {@code /v1/models}, and {@code GET /health}. Requests share decode steps through one
 * {@link GenerationService} (continuous batching); its bounded queue turns overload into 429 with
 * {@code Retry-After}. Errors are OpenAI's error object with the matching status, and bad input is never a 500.
 *
 * <pre>{@code
 * Generator generator = Generator.builder().model(checkpoint.model()).tokenizer(checkpoint.tokenizer()).build();
 * try (OpenAiServer server = OpenAiServer.builder().generator(generator).modelName("tiny-arith").start()) {
 *     // POST http://127.0.0.1:8000/v1/chat/completions {"model": "tiny-arith", "messages": [...]}
 * }
 * }</pre>
 *
 * <p>HTTP is the JDK's own {@code com.sun.net.httpserver} with a virtual thread per exchange: a request spends
 * nearly all its time waiting on the model, and virtual threads make that waiting (and streaming writes) cost
 * nothing, so a framework (Netty, Jetty) would add a dependency and buy no throughput; the decode loop, not
 * HTTP parsing, bounds what the server can do.
 */
public final class OpenAiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OpenAiServer.class);

    private final HttpServer http;
    private final ExecutorService executor;
    private final ServedModel model;
    private final ChatEndpoint chat;
    private final CompletionsEndpoint completions;
    private final byte[] apiKey;
    private final Duration shutdownGrace;
    private final AtomicLong disconnects = new AtomicLong();
    private volatile boolean closing;

    private OpenAiServer(Builder b) throws IOException {
        Generator generator = Objects.requireNonNull(b.generator, "generator");
        ChatTemplate template = null;
        if (generator.tokenizer() != null) {
            try {
                template = ChatTemplate.deepSeekV3(generator.tokenizer());
            } catch (TokenizerException e) {
                log.warn("{}: chat completions are refused, /v1/completions still serves", e.getMessage());
            }
        }
        this.model = new ServedModel(b.modelName, now(), GenerationService.start(generator, b.maxQueued),
                generator.config(), generator.tokenizer(), template, new Vocabulary(generator.tokenizer()), b.limits,
                b.streamKeepAlive, new AtomicInteger());
        this.chat = new ChatEndpoint(model);
        this.completions = new CompletionsEndpoint(model);
        this.apiKey = b.apiKey == null ? null : b.apiKey.getBytes(StandardCharsets.UTF_8);
        this.shutdownGrace = b.shutdownGrace;
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        try {
            this.http = HttpServer.create(new InetSocketAddress(b.host, b.port), 0);
        } catch (IOException e) {
            model.service().close();
            throw new IOException("cannot listen on " + b.host + ":" + b.port + ": " + e.getMessage(), e);
        }
        http.createContext("/", this::handle);
        http.setExecutor(executor);
        http.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port listened on (the one chosen when the builder asked for 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    /** {@code http://HOST:PORT}; OpenAI clients take {@code baseUrl() + "/v1"}. */
    public String baseUrl() {
        String host = http.getAddress().getHostString();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    public String modelName() {
        return model.name();
    }

    /** The service behind the server: in-process callers may submit to it and share the decode batch. */
    public GenerationService service() {
        return model.service();
    }

    /** Choices submitted through HTTP that have not yet finished or been cancelled. */
    public int activeRequests() {
        return model.live().get();
    }

    /** Streams cut short because the client went away (each cancelled its choices and freed their slots). */
    public long disconnects() {
        return disconnects.get();
    }

    /**
     * Graceful: stops accepting connections, lets in-flight requests finish for up to the shutdown grace, then
     * cancels what is left and stops the generation service.
     */
    @Override
    public void close() {
        if (closing) return;
        closing = true;
        // blocks until every exchange has finished, or the grace runs out
        http.stop((int) Math.max(1, shutdownGrace.toSeconds()));
        executor.shutdownNow(); // interrupts what outlived the grace; their requests cancel their choices
        model.service().close();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            try {
                route(exchange);
            } catch (ApiException e) {
                sendError(exchange, e);
            } catch (IOException | UncheckedIOException e) {
                // the client went away mid-response; its choices were cancelled by the stream
                disconnects.incrementAndGet();
            } catch (RuntimeException e) {
                log.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                sendError(exchange, ApiException.internal("internal error: " + e));
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (closing) throw ApiException.shuttingDown();
        if (path.equals("/health")) {
            require(method, path, "GET");
            sendJson(exchange, 200, new Wire.Health("ok", model.name(), activeRequests()));
            return;
        }
        authorize(exchange);
        switch (path) {
            case "/v1/models" -> {
                require(method, path, "GET");
                sendJson(exchange, 200, new Wire.ModelList("list", List.of(card())));
            }
            case "/v1/chat/completions" -> {
                require(method, path, "POST");
                chat.handle(exchange, readJson(exchange));
            }
            case "/v1/completions" -> {
                require(method, path, "POST");
                completions.handle(exchange, readJson(exchange));
            }
            default -> {
                if (!path.startsWith("/v1/models/")) throw ApiException.unknownPath(method, path);
                require(method, path, "GET");
                model.requireModel(path.substring("/v1/models/".length()));
                sendJson(exchange, 200, card());
            }
        }
    }

    private Wire.ModelCard card() {
        return new Wire.ModelCard(model.name(), "model", model.created(), "consilium");
    }

    private static void require(String method, String path, String allowed) {
        if (!method.equals(allowed)) throw ApiException.methodNotAllowed(method, path, allowed);
    }

    private void authorize(HttpExchange exchange) {
        if (apiKey == null) return;
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("You didn't provide an API key. Send it as 'Authorization: Bearer KEY'");
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        // constant time, so response timing does not reveal how much of a guessed key was right
        if (!MessageDigest.isEqual(given, apiKey)) throw ApiException.unauthorized("Incorrect API key provided");
    }

    /** The body, refused unread with 413 when its declared or actual length passes the limit. */
    private JsonNode readJson(HttpExchange exchange) throws IOException {
        int limit = model.limits().maxBodyBytes();
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > limit) throw ApiException.tooLarge(limit);
            } catch (NumberFormatException e) {
                throw ApiException.invalid(null, "Content-Length is not a number: " + declared);
            }
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(limit + 1);
        }
        if (body.length > limit) throw ApiException.tooLarge(limit);
        if (body.length == 0) throw ApiException.invalidJson("The request body is empty; send a JSON object");
        try {
            return Wire.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            // Jackson's own message may cite "[Source: REDACTED ...]"; the line and column say where
            String why = e.getOriginalMessage().replaceAll("\\s*\\(start marker at \\[Source:.*\\]\\)", "");
            throw ApiException.invalidJson("We could not parse the JSON body of your request (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + "): " + why);
        }
    }

    static Wire.ErrorBody errorBody(ApiException e) {
        return new Wire.ErrorBody(new Wire.ErrorDetail(e.getMessage(), e.type, e.param, e.code));
    }

    private static void sendError(HttpExchange exchange, ApiException e) {
        if (exchange.getResponseCode() != -1) return; // a stream already started; it reported the error itself
        if (e.retryAfterSeconds > 0) exchange.getResponseHeaders().set("Retry-After", Integer.toString(e.retryAfterSeconds));
        try {
            sendJson(exchange, e.status, errorBody(e));
        } catch (IOException ignored) {
            // the client is gone; nothing is left to tell it
        }
    }

    static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = Wire.JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static String newId(String prefix) {
        byte[] b = new byte[12];
        ThreadLocalRandom.current().nextBytes(b);
        return prefix + HexFormat.of().formatHex(b);
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    public static final class Builder {
        private Generator generator;
        private String modelName = "consilium";
        private String host = "127.0.0.1";
        private int port = 8000;
        private String apiKey;
        private ServerLimits limits = ServerLimits.DEFAULT;
        private int maxQueued = 64;
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private Duration streamKeepAlive = Duration.ofSeconds(10);

        private Builder() {}

        /** The model to serve; the server runs it through a {@link GenerationService} of its own. */
        public Builder generator(Generator generator) { this.generator = generator; return this; }

        /** The id clients put in {@code model}; any other id is a 404. Default {@code consilium}. */
        public Builder modelName(String modelName) { this.modelName = Objects.requireNonNull(modelName, "modelName"); return this; }

        /** The address to bind: loopback ({@code 127.0.0.1}) unless told otherwise. */
        public Builder host(String host) { this.host = Objects.requireNonNull(host, "host"); return this; }

        /** Default 8000; 0 picks a free port ({@link #port()} tells which). */
        public Builder port(int port) { this.port = port; return this; }

        /** When set, every request but {@code /health} needs {@code Authorization: Bearer KEY}; default none. */
        public Builder apiKey(String apiKey) { this.apiKey = apiKey; return this; }

        public Builder limits(ServerLimits limits) { this.limits = Objects.requireNonNull(limits, "limits"); return this; }

        /** Requests waiting for a decode slot at most (default 64); one more gets 429. */
        public Builder maxQueued(int maxQueued) { this.maxQueued = maxQueued; return this; }

        /** How long {@link #close()} lets in-flight requests finish (default 30 s). */
        public Builder shutdownGrace(Duration grace) { this.shutdownGrace = Objects.requireNonNull(grace, "grace"); return this; }

        /**
         * How long a stream may go without an event before the server writes a keep-alive comment (default 10 s):
         * it keeps proxies from closing a stream that waits in the queue, and it is how a client that left while
         * nothing was being written is found, so that its request is cancelled.
         */
        public Builder streamKeepAlive(Duration interval) {
            if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("streamKeepAlive must be positive, was " + interval);
            this.streamKeepAlive = interval;
            return this;
        }

        /** Binds and starts serving. */
        public OpenAiServer start() {
            try {
                return new OpenAiServer(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
    }
}
