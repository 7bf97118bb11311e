package dev.consilium.runtime.server;

import dev.consilium.moe.generate.GenerationService;
import dev.consilium.moe.generate.Generator;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.moe.tokenizer.TokenizerException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * <p>HTTP is Jetty's core server with a virtual thread per request: a request spends nearly all its time waiting
 * on the model, and virtual threads make that waiting (and streaming writes) cost nothing; the decode loop, not
 * HTTP parsing, bounds what the server can do. Jetty rather than the JDK's {@code com.sun.net.httpserver}, which
 * needs no dependency, because the JDK's server answers broken framing itself (an HTML page for a bad
 * Content-Length, a reset for oversized headers) before any handler runs, and kept a connection open forever when
 * its client reset it during a request; Jetty hands those errors to {@link JsonErrorHandler}, and closes a
 * connection whose write failed.
 */
public final class OpenAiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OpenAiServer.class);

    /** Request headers in all at most; more is a 431. Far above what any OpenAI client sends. */
    static final int MAX_HEADER_BYTES = 64 * 1024;

    private final Server http;
    private final ServerConnector connector;
    /** Kept from the start: once stopped, the connector no longer knows it. */
    private final int port;
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
        // a few platform threads select and parse; every request runs on a virtual thread of `executor`
        QueuedThreadPool threads = new QueuedThreadPool(8, 2);
        threads.setName("consilium-http");
        threads.setVirtualThreadsExecutor(executor);
        this.http = new Server(threads);
        HttpConfiguration config = new HttpConfiguration();
        config.setRequestHeaderSize(MAX_HEADER_BYTES);
        config.setSendServerVersion(false);
        this.connector = new ServerConnector(http, new HttpConnectionFactory(config));
        connector.setHost(b.host);
        connector.setPort(b.port);
        connector.setIdleTimeout(b.idleTimeout.toMillis());
        http.addConnector(connector);
        // on stop: no new connections, in-flight requests finish within the grace, requests on open connections 503
        http.setHandler(new GracefulHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                OpenAiServer.this.handle(request, response, callback);
                return true;
            }
        }));
        http.setErrorHandler(new JsonErrorHandler(MAX_HEADER_BYTES));
        http.setStopTimeout(b.shutdownGrace.toMillis());
        try {
            http.start();
        } catch (Exception e) {
            stopQuietly();
            model.service().close();
            throw new IOException("cannot listen on " + b.host + ":" + b.port + ": " + e.getMessage(), e);
        }
        this.port = connector.getLocalPort();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port listened on (the one chosen when the builder asked for 0). */
    public int port() {
        return port;
    }

    /** {@code http://HOST:PORT}; OpenAI clients take {@code baseUrl() + "/v1"}. */
    public String baseUrl() {
        String host = connector.getHost();
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

    /**
     * Responses that found their client gone: streams cut short (each cancelled its choices and freed their slots),
     * and answers to clients that left while they waited.
     */
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
        // blocks until every request has finished, or the grace runs out
        stopQuietly();
        executor.shutdownNow(); // interrupts what outlived the grace; their requests cancel their choices
        model.service().close();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopQuietly() {
        try {
            http.stop();
        } catch (Exception e) {
            log.warn("stopping the HTTP server: {}", e.toString());
        }
    }

    /**
     * Runs on the request's virtual thread to the end. A failed write (the client went away, by FIN or by reset)
     * fails the callback, and Jetty closes the connection: nothing of it outlives the request.
     */
    private void handle(Request request, Response response, Callback callback) {
        // a request waiting on the model does no I/O for as long as the model takes; that is not a dead client, and
        // Jetty would fail the request for it. A write that stalls (a client that stopped reading) still times out.
        request.addIdleTimeoutListener(timeout -> false);
        Exchange exchange = new Exchange(request, response);
        try {
            try {
                route(exchange);
            } catch (ApiException e) {
                sendError(exchange, e);
            } catch (RuntimeException e) {
                if (e instanceof UncheckedIOException u) throw u.getCause();
                log.error("{} {} failed", exchange.method(), exchange.path(), e);
                sendError(exchange, ApiException.internal("internal error: " + e));
            }
            callback.succeeded();
        } catch (IOException e) {
            // the client went away mid-response; a stream cancelled its choices itself
            disconnects.incrementAndGet();
            callback.failed(e);
        }
    }

    private void route(Exchange exchange) throws IOException {
        String method = exchange.method();
        String path = exchange.path();
        if (closing) throw ApiException.shuttingDown();
        if (path.equals("/health")) {
            require(method, path, "GET");
            exchange.sendJson(200, new Wire.Health("ok", model.name(), activeRequests()));
            return;
        }
        authorize(exchange);
        switch (path) {
            case "/v1/models" -> {
                require(method, path, "GET");
                exchange.sendJson(200, new Wire.ModelList("list", List.of(card())));
            }
            case "/v1/chat/completions" -> {
                require(method, path, "POST");
                chat.handle(exchange, RequestJson.read(exchange, model.limits().maxBodyBytes()));
            }
            case "/v1/completions" -> {
                require(method, path, "POST");
                completions.handle(exchange, RequestJson.read(exchange, model.limits().maxBodyBytes()));
            }
            default -> {
                if (!path.startsWith("/v1/models/")) throw ApiException.unknownPath(method, path);
                require(method, path, "GET");
                model.requireModel(path.substring("/v1/models/".length()));
                exchange.sendJson(200, card());
            }
        }
    }

    private Wire.ModelCard card() {
        return new Wire.ModelCard(model.name(), "model", model.created(), "consilium");
    }

    private static void require(String method, String path, String allowed) {
        if (!method.equals(allowed)) throw ApiException.methodNotAllowed(method, path, allowed);
    }

    private void authorize(Exchange exchange) {
        if (apiKey == null) return;
        String header = exchange.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("You didn't provide an API key. Send it as 'Authorization: Bearer KEY'");
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        // constant time, so response timing does not reveal how much of a guessed key was right
        if (!MessageDigest.isEqual(given, apiKey)) throw ApiException.unauthorized("Incorrect API key provided");
    }

    static Wire.ErrorBody errorBody(ApiException e) {
        return new Wire.ErrorBody(new Wire.ErrorDetail(e.getMessage(), e.type, e.param, e.code));
    }

    private static void sendError(Exchange exchange, ApiException e) throws IOException {
        if (exchange.responded()) return; // a stream already started; it reported the error itself
        exchange.send(e.status, "application/json", Wire.JSON.writeValueAsBytes(errorBody(e)), e.retryAfterSeconds);
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
        private Duration idleTimeout = Duration.ofSeconds(30);

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

        /**
         * How long a connection may sit with nothing to do before it is closed (default 30 s): between requests, or
         * in a write the client does not read. Never while a request waits on the model.
         */
        Builder idleTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("idleTimeout must be positive, was " + timeout);
            this.idleTimeout = timeout;
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
