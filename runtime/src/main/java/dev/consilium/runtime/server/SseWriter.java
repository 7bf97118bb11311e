package dev.consilium.runtime.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A server-sent event stream on one exchange: {@code data: JSON} events, each sent at once so that a client
 * sees tokens as they are decided, and so that a client that went away shows as an IOException on the next write.
 */
final class SseWriter {
    private final Exchange exchange;

    SseWriter(Exchange exchange) {
        this.exchange = exchange;
    }

    /** Sends the status and headers at once: a client waiting in the queue sees that it was accepted. */
    void start() throws IOException {
        exchange.startStream("text/event-stream; charset=utf-8");
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
        exchange.write(s.getBytes(StandardCharsets.UTF_8));
    }
}
