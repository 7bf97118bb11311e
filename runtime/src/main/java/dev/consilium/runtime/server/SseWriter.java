package dev.consilium.runtime.server;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A server-sent event stream on one exchange: {@code data: JSON} events, each flushed at once so that a client
 * sees tokens as they are decided, and so that a client that went away shows as an IOException on the next write.
 */
final class SseWriter {
    private final HttpExchange exchange;
    private OutputStream out;

    SseWriter(HttpExchange exchange) {
        this.exchange = exchange;
    }

    boolean started() {
        return out != null;
    }

    void start() throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0); // 0: chunked, length unknown
        out = exchange.getResponseBody();
    }

    void event(Object body) throws IOException {
        write("data: " + Wire.JSON.writeValueAsString(body) + "\n\n");
    }

    /** A comment line: clients ignore it; it keeps proxies from timing out and finds a closed connection. */
    void keepAlive() throws IOException {
        write(": keep-alive\n\n");
    }

    /** The end of the stream, as OpenAI marks it. */
    void done() throws IOException {
        write("data: [DONE]\n\n");
    }

    private void write(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
